package io.llmproxy.edge.provider;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** All provider types the edge can call, by wire name. Adding a provider: one folder, one bean. */
@Component
public class ProviderRegistry {

    private final Map<String, ProviderAdapter> adapters;

    public ProviderRegistry(List<ProviderAdapter> adapters) {
        this.adapters = adapters.stream().collect(Collectors.toUnmodifiableMap(ProviderAdapter::type, Function.identity()));
    }

    /**
     * @throws IllegalStateException for a type no adapter handles (a provider registered with a
     *                               type this edge version does not know)
     */
    public ProviderAdapter adapter(String type) {
        ProviderAdapter adapter = adapters.get(type);
        if (adapter == null) {
            throw new IllegalStateException("no provider adapter for type '" + type + "'; known: " + adapters.keySet());
        }
        return adapter;
    }
}
