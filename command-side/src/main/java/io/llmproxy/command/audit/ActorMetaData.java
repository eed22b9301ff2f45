package io.llmproxy.command.audit;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.MultiCorrelationDataProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Records who issued each admin command, for the audit log: every command sent through the
 * gateway gets the Axon meta-data entry {@value #ACTOR}, and every event the command applies
 * inherits it (a correlation data provider), so it is stored with the event in the event store.
 *
 * <p>The value is {@value #ADMIN_TOKEN} (the request passed the admin bearer token), or
 * {@code admin-token:<name>} when the request carries an {@value #ACTOR_HEADER} header naming the
 * person or system acting (self-declared under the admin token: control characters are replaced
 * by {@code ?}, at most {@value #MAX_NAME} characters). When Keycloak arrives the name will come
 * from the JWT's subject instead ({@code jwt:<sub>}).
 */
@Configuration(proxyBeanMethods = false)
public class ActorMetaData {

    /** Meta-data key of the actor. */
    public static final String ACTOR = "actor";
    /** Actor of a request authenticated by the admin bearer token. */
    public static final String ADMIN_TOKEN = "admin-token";
    /** Optional request header naming who acts under the admin token. */
    public static final String ACTOR_HEADER = "X-Actor";
    /** Longest name kept from {@value #ACTOR_HEADER}, in characters. */
    public static final int MAX_NAME = 200;

    /** Axon's default origin provider (correlation and trace ids) plus the actor. */
    @Bean
    CorrelationDataProvider actorCorrelationData() {
        return new MultiCorrelationDataProvider<>(List.of(new MessageOriginProvider(),
                new SimpleCorrelationDataProvider(ACTOR)));
    }

    @Bean
    InitializingBean actorOnEveryCommand(CommandGateway gateway) {
        return () -> gateway.registerDispatchInterceptor(interceptor());
    }

    static MessageDispatchInterceptor<CommandMessage<?>> interceptor() {
        return messages -> (index, command) -> command.getMetaData().containsKey(ACTOR)
                ? command : command.andMetaData(Map.of(ACTOR, currentActor()));
    }

    /** @return the actor of the HTTP request being served on this thread, or {@value #ADMIN_TOKEN} outside one */
    static String currentActor() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            return actorOf(attributes.getRequest());
        }
        return ADMIN_TOKEN;
    }

    /**
     * HTTP header values reach the servlet as ISO-8859-1 (RFC 9110 §5.5); clients send names such as
     * "José" as UTF-8 bytes. Decodes them as UTF-8 when they are valid UTF-8, else keeps the value.
     */
    static String utf8(String headerValue) {
        byte[] raw = headerValue.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return headerValue;
        }
    }

    static String actorOf(HttpServletRequest request) {
        String name = request.getHeader(ACTOR_HEADER);
        if (name == null || name.isBlank()) {
            return ADMIN_TOKEN;
        }
        String clean = utf8(name).strip().codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .limit(MAX_NAME)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return ADMIN_TOKEN + ":" + clean;
    }
}
