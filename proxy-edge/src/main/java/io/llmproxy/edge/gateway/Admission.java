package io.llmproxy.edge.gateway;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.provider.ProviderTranslator;
import io.llmproxy.edge.quota.QuotaService;
import io.llmproxy.edge.routing.RoutePlanner;
import java.util.List;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one admission path of chat and embeddings calls, whatever the client format:
 * <ol>
 *   <li>{@link #authenticate}: the credential against the in-memory snapshot (no I/O);</li>
 *   <li>{@link #checkModel}: the public model name's shape;</li>
 *   <li>{@link #admit}: the route of that name for the key's tenant → the key's allow-list → the
 *       first target's provider and translated request → the quota reservation (one Redis round trip).</li>
 * </ol>
 * Each step either passes or throws a {@link GatewayException} whose {@link GatewayError} the client
 * gets in its format:
 *
 * <table>
 *   <caption>refusals</caption>
 *   <tr><th>step</th><th>kind</th><th>status</th><th>code</th><th>usage {@code refusalReason}</th></tr>
 *   <tr><td>authenticate</td><td>NOT_READY</td><td>503 + {@code Retry-After: 1}</td><td>{@code not_ready}</td><td>{@code not_ready}</td></tr>
 *   <tr><td>authenticate</td><td>UNAUTHENTICATED</td><td>401</td><td>{@code invalid_api_key}</td><td>{@code invalid_api_key:<missing|unknown|revoked|expired>}</td></tr>
 *   <tr><td>authenticate</td><td>TENANT_SUSPENDED</td><td>403</td><td>{@code tenant_suspended}</td><td>{@code tenant_suspended}</td></tr>
 *   <tr><td>model</td><td>INVALID_REQUEST</td><td>400</td><td>{@code invalid_model}</td><td>—</td></tr>
 *   <tr><td>route</td><td>MODEL_NOT_FOUND</td><td>404</td><td>{@code model_not_found}</td><td>—</td></tr>
 *   <tr><td>allow-list</td><td>MODEL_NOT_ALLOWED</td><td>403</td><td>{@code model_not_allowed}</td><td>{@code model_not_allowed}</td></tr>
 *   <tr><td>provider</td><td>PROVIDER_UNAVAILABLE</td><td>502</td><td>{@code provider_unavailable}</td><td>—</td></tr>
 *   <tr><td>provider</td><td>INVALID_REQUEST</td><td>400</td><td>{@code invalid_<param>}</td><td>—</td></tr>
 *   <tr><td>quota</td><td>QUOTA</td><td>429, or 503 with the store down + {@code Retry-After}</td><td>the refusal's</td><td>the refusal's (e.g. {@code quota:API_KEY:tokensPerMinute})</td></tr>
 * </table>
 */
@Component
public class Admission {

    /** Longest public model name accepted, in characters. */
    public static final int MAX_MODEL_LENGTH = 256;

    private final ApiKeyAuthenticator authenticator;
    private final QuotaService quotas;
    private final RoutePlanner planner;

    public Admission(ApiKeyAuthenticator authenticator, QuotaService quotas, RoutePlanner planner) {
        this.authenticator = authenticator;
        this.quotas = quotas;
        this.planner = planner;
    }

    /**
     * Step 1, before the body is read. Records the key (when found) on the call.
     *
     * @param authorization     the credential as an {@code Authorization} value ({@code Bearer <key>}), or null
     * @param missingKeyMessage the client format's message for a request without a key
     * @return the caller, with the snapshot to decide the rest of the call on
     * @throws GatewayException NOT_READY, UNAUTHENTICATED or TENANT_SUSPENDED
     */
    public ApiKeyAuthenticator.Result authenticate(Call call, String authorization, String missingKeyMessage) {
        ApiKeyAuthenticator.Result auth = authenticator.authenticate(authorization);
        call.key(auth.key());
        call.principal(auth.principal());
        GatewayError refusal = GatewayError.authentication(auth.status(), missingKeyMessage);
        if (refusal != null) {
            throw refusal.exception();
        }
        return auth;
    }

    /**
     * Step 2: at most {@value #MAX_MODEL_LENGTH} characters, no control characters.
     *
     * @return the model name
     * @throws GatewayException INVALID_REQUEST (400, param {@code model})
     */
    public static String checkModel(String model) {
        if (model.length() > MAX_MODEL_LENGTH || model.chars().anyMatch(Character::isISOControl)) {
            throw GatewayError.badRequest("'model' must be at most " + MAX_MODEL_LENGTH
                    + " characters without control characters", "model").exception();
        }
        return model;
    }

    /**
     * Step 3: route, allow-list, the plan of targets ({@link RoutePlanner}), the attempt at the first
     * candidate whose provider this edge knows, then the quota reservation (made once per call, not per
     * attempt; settled through {@link Call#onFinish} with the tokens of the attempt that served).
     *
     * @param caller         the result of {@link #authenticate}
     * @param model          the public model name (checked by {@link #checkModel})
     * @param canonical      the canonical request body (OpenAI chat or embeddings)
     * @param translators    a fresh translator for a provider connection
     * @param reservedTokens tokens to reserve (prompt estimate + the completion cap; embeddings: the prompt estimate)
     * @param promptEstimate the prompt part of {@code reservedTokens}, billed when the provider reports no usage
     * @return the admitted call; errors with {@link GatewayException} (MODEL_NOT_FOUND, MODEL_NOT_ALLOWED,
     *         PROVIDER_UNAVAILABLE, INVALID_REQUEST, QUOTA)
     */
    public <T extends ProviderTranslator> Mono<AdmittedCall<T>> admit(Call call, ApiKeyAuthenticator.Result caller,
                                                                     String model, ObjectNode canonical,
                                                                     Function<ProviderEntry, T> translators,
                                                                     long reservedTokens, long promptEstimate) {
        EdgeSnapshot snapshot = caller.snapshot();
        RouteEntry route = snapshot.route(caller.key().tenantId(), model);
        if (route == null || route.targets().isEmpty()) {
            return Mono.error(GatewayError.modelNotFound(model).exception());
        }
        if (!caller.key().allows(model)) {
            return Mono.error(GatewayError.modelNotAllowed(model).exception());
        }
        List<RoutePlanner.Candidate> plan = planner.plan(snapshot, caller.key().tenantId(), route);
        Function<RoutePlanner.Candidate, Attempt<T>> prepare = candidate ->
                Attempt.prepare(call, snapshot, candidate.model(), candidate.target(), translators, canonical,
                        provider -> planner.credential(provider));
        Attempt<T> first = null;
        int firstIndex = 0;
        GatewayException unavailable = null;
        // the first candidate whose provider this edge knows; a bad request fails at once
        for (; firstIndex < plan.size() && first == null; firstIndex++) {
            try {
                first = prepare.apply(plan.get(firstIndex));
            } catch (GatewayException e) {
                if (e.error().kind() != GatewayError.Kind.PROVIDER_UNAVAILABLE) {
                    return Mono.error(e);
                }
                unavailable = e;
            }
        }
        if (first == null) {
            return Mono.error(unavailable != null ? unavailable : GatewayError.providerUnavailable(model).exception());
        }
        Attempt<T> admittedFirst = first;
        int admittedIndex = firstIndex - 1;
        call.promptEstimate(promptEstimate);
        return quotas.reserve(caller.key(), snapshot, reservedTokens, promptEstimate, first.provider().providerId(),
                        first.target().model())
                .flatMap(decision -> {
                    if (!decision.allowed()) {
                        return Mono.error(GatewayError.quota(decision.refusal(), decision.headers()).exception());
                    }
                    call.onFinish(total -> decision.reservation().settle(total, call.billedUsage()));
                    return Mono.just(new AdmittedCall<>(caller.key(), snapshot, model, route, admittedFirst, decision,
                            plan, admittedIndex, prepare));
                });
    }
}
