package io.llmproxy.adminweb;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes Tomcat render its own errors as problem JSON ({@link JsonErrorReportValve} replaces every
 * {@link ErrorReportValve} on the host, Spring Boot's included), hides the server version, and
 * swallows at most {@link #MAX_SWALLOW_BYTES} of an unread request body.
 * What stays outside the application's reach is listed in the README (Admin API, errors).
 */
public class TomcatJsonErrors implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    /**
     * The most of a request body Tomcat reads and throws away after an answer that did not read it
     * (a 401 before the body): 8 KiB, not Tomcat's 2 MiB. With a larger rest the answer says
     * {@code Connection: close} and the connection serves no further request, instead of Tomcat reading
     * the whole rest (on platform threads, holding a thread) to keep it alive.
     */
    static final int MAX_SWALLOW_BYTES = 8 * 1024;

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof JsonErrorReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
            }
        });
        factory.addConnectorCustomizers(connector -> {
            connector.setXpoweredBy(false);
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                http.setMaxSwallowSize(MAX_SWALLOW_BYTES);
            }
        });
    }

    /** After Spring Boot's own Tomcat customizer, so its error valve is already there to be replaced. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
