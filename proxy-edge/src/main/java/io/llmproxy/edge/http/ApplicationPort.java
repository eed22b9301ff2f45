package io.llmproxy.edge.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The port of the application server (the client APIs), and the rule that the client APIs answer on
 * it only. Spring Boot's management child context ({@code management.server.port}) serves its
 * parent's router functions and gets its route providers: without this rule the gateway endpoints
 * answered on the actuator's port too (deny by default: that port serves the actuator, nothing else).
 * <ul>
 *   <li>{@link NettyFrame} takes a request only on this port;</li>
 *   <li>every {@link RouterFunction} bean of the application is wrapped so that it matches no request
 *       that arrived on another port: the management server then answers 404 as for any path it
 *       does not serve.</li>
 * </ul>
 * Until the application server has started its port is unknown: Spring's routes then match as
 * declared, and {@link NettyFrame} takes nothing.
 */
@Component
public class ApplicationPort implements ApplicationListener<WebServerInitializedEvent>, BeanPostProcessor {

    private volatile int port = -1;

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            port = event.getWebServer().getPort();
        }
    }

    /** @return whether {@code local} (the address a request arrived on) is the application server's */
    boolean is(SocketAddress local) {
        return port >= 0 && local instanceof InetSocketAddress address && address.getPort() == port;
    }

    /**
     * @return whether a Spring request may reach the application's routes (false only on another known
     *         port). The port is the connection's own: {@code ServerRequest.localAddress()} comes from
     *         {@code X-Forwarded-Host}/{@code -Port} and {@code Forwarded} under
     *         {@code server.forward-headers-strategy=native}, which a client can send.
     */
    boolean admits(ServerRequest request) {
        if (port < 0) {
            return true;
        }
        Object netty = ServerHttpRequestDecorator.getNativeRequest(request.exchange().getRequest());
        // not on Reactor Netty (a mock exchange): no server port to tell apart
        return !(netty instanceof HttpServerRequest connection) || is(connection.connectionHostAddress());
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof RouterFunction routes) {
            RouterFunction<?> declared = routes;
            return (RouterFunction) request -> admits(request) ? declared.route(request) : Mono.empty();
        }
        return bean;
    }
}
