package io.llmproxy.command.price;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.price.SetPrice;
import java.util.function.Predicate;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.modelling.command.Repository;

/**
 * Handles {@link SetPrice}: checks the values and that the provider exists, then creates the
 * model's price list or loads it, and appends the price.
 */
public class PriceCommandHandler {

    private final Repository<PriceList> priceLists;
    private final Predicate<String> providerExists;

    /**
     * @param priceLists     the price list repository
     * @param providerExists tells whether a provider id is registered
     */
    public PriceCommandHandler(Repository<PriceList> priceLists, Predicate<String> providerExists) {
        this.priceLists = priceLists;
        this.providerExists = providerExists;
    }

    /**
     * @throws CommandRejected 400 invalid value, 404 unknown provider, 409 effectiveFrom not after the latest price's
     */
    @CommandHandler
    public void handle(SetPrice command) throws Exception {
        PriceRules.check(command);
        if (!providerExists.test(command.providerId())) {
            throw CommandRejected.notFound("providerId", "provider " + command.providerId() + " not found");
        }
        String id = SetPrice.idOf(command.providerId(), command.model().strip());
        priceLists.loadOrCreate(id, PriceList::new).execute(list -> list.set(command));
    }
}
