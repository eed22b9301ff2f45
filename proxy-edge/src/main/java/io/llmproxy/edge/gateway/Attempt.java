package io.llmproxy.edge.gateway;

import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.provider.ProviderTranslator;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.provider.UpstreamRequest;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import java.util.function.Function;
import tools.jackson.databind.node.ObjectNode;

/**
 * One upstream attempt of a call: a route target, its provider connection, a fresh translator and
 * the request translated for that provider.
 *
 * @param target     the route's target ({@code providerId}, provider model name)
 * @param provider   the provider connection (holds the credential: never log this record)
 * @param translator the translator of this attempt (one per attempt: it meters this attempt's tokens)
 * @param request    the provider request
 * @param credential which of the provider's credentials the request carries (0 = the first)
 * @param <T>        chat or embeddings translator
 */
public record Attempt<T extends ProviderTranslator>(Target target, ProviderEntry provider, T translator,
                                                    UpstreamRequest request, int credential) {

    /**
     * Prepares an attempt at {@code target} and records it on the call (provider, provider model and
     * the translator whose tokens the usage event reports).
     *
     * @param model       the public model name (for the error message)
     * @param translators a fresh translator for a provider connection
     * @param canonical   the canonical request body
     * @throws GatewayException {@link GatewayError.Kind#PROVIDER_UNAVAILABLE} (502) when the provider is
     *                          unknown or has no credential, {@link GatewayError.Kind#INVALID_REQUEST}
     *                          (400) when the provider cannot take the request
     */
    public static <T extends ProviderTranslator> Attempt<T> prepare(Call call, EdgeSnapshot snapshot, String model,
                                                                    Target target, Function<ProviderEntry, T> translators,
                                                                    ObjectNode canonical,
                                                                    java.util.function.ToIntFunction<ProviderEntry> credentials) {
        ProviderEntry provider = snapshot.providersById().get(target.providerId());
        if (provider == null || provider.apiKey() == null) {
            throw GatewayError.providerUnavailable(model).exception();
        }
        int credential = credentials.applyAsInt(provider);
        if (credential < 0) {
            // every credential of the provider cools down after a 429 or a refusal
            throw GatewayError.providerUnavailable(model).exception();
        }
        ProviderEntry using = provider.withCredential(credential);
        try {
            T translator = translators.apply(using);
            call.upstream(provider.providerId(), target.model(), translator);
            return new Attempt<>(target, provider, translator, translator.request(canonical, using, target.model()),
                    credential);
        } catch (UnsupportedRequestException e) {
            // refused before any upstream call: no tokens to bill
            throw GatewayError.badRequest(e.getMessage(), e.param()).exception();
        }
    }

    @Override
    public String toString() {
        return "Attempt[" + provider.name() + " " + target.model() + "]";
    }
}
