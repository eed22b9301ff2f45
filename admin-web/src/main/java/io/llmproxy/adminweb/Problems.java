package io.llmproxy.adminweb;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * RFC 9457 problem responses of the admin APIs: {@code type}, {@code title}, {@code status},
 * {@code detail}, plus {@code code} (stable, machine-readable) and {@code field} (the request
 * field or parameter at fault, when there is one).
 */
public final class Problems {

    private Problems() {
    }

    public static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String field, String message) {
        ProblemDetail detail = ProblemDetail.forStatusAndDetail(status, message);
        detail.setType(URI.create("https://llmproxy.io/problems/" + code.replaceAll("[^A-Za-z0-9_.-]", "_")));
        detail.setTitle(status.getReasonPhrase());
        detail.setProperty("code", code);
        if (field != null) {
            detail.setProperty("field", field);
        }
        return ResponseEntity.status(status).body(detail);
    }
}
