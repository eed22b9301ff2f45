package io.llmproxy.query.finance;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** CSV answers of the finance reads (RFC 4180 via Apache Commons CSV, header row, CRLF; formula-looking text defused). */
final class Csv {

    static final MediaType TEXT_CSV = new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8);

    private Csv() {
    }

    /** @return whether the client asked for CSV: {@code format=csv} or an Accept header naming {@code text/csv} */
    static boolean wanted(String format, String accept) {
        if (format != null) {
            return "csv".equalsIgnoreCase(format.strip());
        }
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/csv");
    }

    /**
     * @return the value to write: text that a spreadsheet would run as a formula (starting with
     *         {@code = + - @}, tab or CR; client-chosen model names reach these reports) gets a leading
     *         {@code '} (OWASP, https://owasp.org/www-community/attacks/CSV_Injection); numbers as they are
     */
    static Object cell(Object value) {
        if (value instanceof String s && !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            return "'" + s;
        }
        return value;
    }

    /** @return 200 {@code text/csv} with {@code columns} as header and one record per row (null = empty cell) */
    static ResponseEntity<String> response(List<String> columns, List<Map<String, Object>> rows) {
        StringWriter out = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(columns.toArray(String[]::new)).get())) {
            for (Map<String, Object> row : rows) {
                for (String c : columns) {
                    printer.print(cell(row.get(c)));
                }
                printer.println();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ResponseEntity.ok().contentType(TEXT_CSV).body(out.toString());
    }
}
