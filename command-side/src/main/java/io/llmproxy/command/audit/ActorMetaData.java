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
 * <p>The actor is the authenticated principal, never what the caller says (issue #10): a request
 * authenticated by a Keycloak access token is recorded as {@code user:<preferred_username>}, with
 * the token's {@code sub} and {@code azp} in {@value #ACTOR_SUBJECT} and {@value #ACTOR_CLIENT}; one
 * authenticated by the static bootstrap token as {@value #BOOTSTRAP_TOKEN}. An {@value #ACTOR_HEADER}
 * header is no identity: under the bootstrap token its value is kept as {@value #ACTOR_DECLARED}
 * (self-declared, control characters replaced by {@code ?}, at most {@value #MAX_NAME} characters),
 * next to the actor; under a Keycloak token it is ignored. Events stored before issue #10 keep
 * their actor {@code admin-token[:<name>]}.
 */
@Configuration(proxyBeanMethods = false)
public class ActorMetaData {

    /** Meta-data key of the actor. */
    public static final String ACTOR = "actor";
    /** Actor of a request authenticated by the static bootstrap token. */
    public static final String BOOTSTRAP_TOKEN = "bootstrap-token";
    /** Meta-data key of the name an {@value #ACTOR_HEADER} header declared under the bootstrap token (not verified). */
    public static final String ACTOR_DECLARED = "actorDeclared";
    /** Optional request header naming who acts under the admin token. */
    public static final String ACTOR_HEADER = "X-Actor";
    /** Longest name kept from {@value #ACTOR_HEADER}, in characters. */
    public static final int MAX_NAME = 200;

    /** Axon's default origin provider (correlation and trace ids) plus the actor. */
    @Bean
    CorrelationDataProvider actorCorrelationData() {
        return new MultiCorrelationDataProvider<>(List.of(new MessageOriginProvider(),
                new SimpleCorrelationDataProvider(ACTOR, ACTOR_SUBJECT, ACTOR_CLIENT, ACTOR_DECLARED)));
    }

    @Bean
    InitializingBean actorOnEveryCommand(CommandGateway gateway) {
        return () -> gateway.registerDispatchInterceptor(interceptor());
    }

    static MessageDispatchInterceptor<CommandMessage<?>> interceptor() {
        return messages -> (index, command) -> command.getMetaData().containsKey(ACTOR)
                ? command : command.andMetaData(actorMetaData());
    }

    /** Prefix of the actor of a request authenticated by a Keycloak access token: {@code user:<preferred_username>}. */
    public static final String USER = "user:";
    /** Meta-data key of the token's subject ({@code sub}), for a request authenticated by a Keycloak token. */
    public static final String ACTOR_SUBJECT = "actorSubject";
    /** Meta-data key of the token's client ({@code azp}), for a request authenticated by a Keycloak token. */
    public static final String ACTOR_CLIENT = "actorClientId";

    /**
     * @return the actor meta-data of the request served on this thread: {@code user:<preferred_username>}
     *         plus subject and client for a Keycloak token; else {@value #BOOTSTRAP_TOKEN} plus
     *         {@value #ACTOR_DECLARED} when an {@value #ACTOR_HEADER} header names someone (also
     *         {@value #BOOTSTRAP_TOKEN} outside a request, e.g. a command sent at start-up)
     */
    static Map<String, String> actorMetaData() {
        if (org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication()
                instanceof org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken jwt) {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            out.put(ACTOR, USER + jwt.getName());
            out.put(ACTOR_SUBJECT, String.valueOf(jwt.getToken().getSubject()));
            out.put(ACTOR_CLIENT, String.valueOf(jwt.getToken().getClaimAsString("azp")));
            return out;
        }
        String declared = RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? declaredName(attributes.getRequest()) : null;
        return declared == null ? Map.of(ACTOR, BOOTSTRAP_TOKEN) : Map.of(ACTOR, BOOTSTRAP_TOKEN, ACTOR_DECLARED, declared);
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

    /** @return the cleaned {@value #ACTOR_HEADER} value, or null when absent or blank */
    static String declaredName(HttpServletRequest request) {
        String name = request.getHeader(ACTOR_HEADER);
        if (name == null || name.isBlank()) {
            return null;
        }
        return utf8(name).strip().codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .limit(MAX_NAME)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
