package io.llmproxy.edge.support;

import io.llmproxy.simulator.UpstreamSimulatorApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The project's upstream simulator, started once per test JVM on a random port and closed only
 * when the JVM exits (closing a hand-built reactive context disposes Reactor Netty's global
 * resources, which every other server in the JVM shares).
 */
public final class SimulatorServer {

    private static ConfigurableApplicationContext context;

    private SimulatorServer() {
    }

    /** @return the simulator's port, starting it on first use */
    public static synchronized int port() {
        if (context == null) {
            context = new SpringApplicationBuilder(UpstreamSimulatorApplication.class)
                    .properties("spring.config.name=no-such-config", "server.port=0",
                            "spring.main.web-application-type=reactive",
                            "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
                    .run();
            Runtime.getRuntime().addShutdownHook(new Thread(context::close));
        }
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
