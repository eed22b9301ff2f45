package io.llmproxy.adminweb;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's host-level error report, as problem JSON instead of Tomcat's HTML page: what Tomcat
 * answers itself, before the request reaches Spring (an invalid request line or method, an
 * unsupported HTTP version, an encoded {@code /} in the path, a header section too large).
 * It never shows the server's name or version, the exception or a stack trace: the body is
 * {@code {"type","title","status","detail","code"}} with {@code code} from
 * {@link AdminErrorController#codeOf(int)}.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    public JsonErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                HttpStatusText text = HttpStatusText.of(status);
                writer.write(ProblemWriter.json(status, AdminErrorController.codeOf(status), null, text.detail()));
                writer.flush();
            }
        } catch (Exception e) {
            // the connection is gone or the response is committed: nothing more can be said
        }
    }

    private record HttpStatusText(String detail) {
        static HttpStatusText of(int status) {
            org.springframework.http.HttpStatus known = org.springframework.http.HttpStatus.resolve(status);
            String phrase = known == null ? "error" : known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
            return new HttpStatusText("the server refused the request at the protocol level: " + phrase);
        }
    }
}
