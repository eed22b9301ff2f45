package io.llmproxy.edge.http;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The edge's public port serves only {@code /actuator/health/**} and {@code /actuator/info} (no
 * discovery page); the edge has no authentication for actuator endpoints. An operator who exposes
 * more ({@code LLMPROXY_ACTUATOR_EXPOSE=health,info,metrics}, for the benchmark) without moving the
 * actuator to its own port ({@code MANAGEMENT_SERVER_PORT}, with {@code MANAGEMENT_SERVER_ADDRESS=127.0.0.1})
 * gets a WARN at start naming the endpoints that are then open to anyone who reaches the port.
 */
@Component
class ActuatorExposureCheck {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ActuatorExposureCheck.class);
    private static final List<String> PUBLIC = List.of("health", "info");

    ActuatorExposureCheck(Environment environment) {
        List<String> extra = Arrays.stream(environment.getProperty("management.endpoints.web.exposure.include", "health,info")
                        .split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty() && !PUBLIC.contains(s)).toList();
        String managementPort = environment.getProperty("management.server.port");
        boolean ownPort = managementPort != null && !managementPort.isBlank()
                && !Objects.equals(managementPort, environment.getProperty("server.port"));
        if (!extra.isEmpty() && !ownPort) {
            LOG.warn("Actuator endpoints {} are exposed WITHOUT authentication on the gateway's public port; "
                    + "set MANAGEMENT_SERVER_PORT (and MANAGEMENT_SERVER_ADDRESS=127.0.0.1) to serve the actuator on its own port", extra);
        }
    }
}
