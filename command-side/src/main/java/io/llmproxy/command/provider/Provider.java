package io.llmproxy.command.provider;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.provider.RegisterProvider;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/** Provider connection aggregate: an upstream LLM API with its (encrypted) credential. */
@Aggregate
public class Provider {

    @AggregateIdentifier
    private String providerId;

    protected Provider() {
    }

    @CommandHandler
    public Provider(RegisterProvider command) {
        ProviderRules.check(command);
        apply(new ProviderRegistered(command.providerId(), command.name().strip(), command.type(),
                ProviderRules.normaliseBaseUrl(command.baseUrl(), command.type()), command.apiKeyCiphertext(),
                GenericEventMessage.clock.instant(),
                command.additionalApiKeyCiphertexts() == null || command.additionalApiKeyCiphertexts().isEmpty()
                        ? null : java.util.List.copyOf(command.additionalApiKeyCiphertexts())));
    }

    @EventSourcingHandler
    void on(ProviderRegistered event) {
        this.providerId = event.providerId();
    }
}
