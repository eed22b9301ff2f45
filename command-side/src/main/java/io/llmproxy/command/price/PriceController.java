package io.llmproxy.command.price;

import io.llmproxy.kernel.price.SetPrice;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.math.BigDecimal;
import tools.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin commands on prices ({@code /admin/v1/prices}). */
@RestController
class PriceController {

    private final CommandGateway commands;

    PriceController(CommandGateway commands) {
        this.commands = commands;
    }

    /**
     * Request body. Amounts are USD per million tokens, as plain decimal strings ({@code "2.50"}; no
     * sign, spaces or exponent) or numbers; {@code cachedInputPerMillionUsd} defaults to the input price; {@code effectiveFrom}
     * (ISO-8601 instant) defaults to now.
     */
    record SetPriceRequest(@NotBlank String providerId, @NotBlank String model,
                           @JsonDeserialize(using = DecimalAmount.class) BigDecimal inputPerMillionUsd,
                           @JsonDeserialize(using = DecimalAmount.class) BigDecimal outputPerMillionUsd,
                           @JsonDeserialize(using = DecimalAmount.class) BigDecimal cachedInputPerMillionUsd,
                           Instant effectiveFrom) {
    }

    /**
     * {@code POST /admin/v1/prices} → 201 {@code {"priceListId","providerId","model"}}; 400 invalid
     * value (problem JSON naming the field), 404 unknown provider, 409 effectiveFrom not after the
     * model's latest price.
     */
    @PostMapping("/admin/v1/prices")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> set(@Valid @RequestBody SetPriceRequest r) {
        String model = r.model().strip();
        commands.sendAndWait(new SetPrice(r.providerId(), model, r.inputPerMillionUsd(), r.outputPerMillionUsd(),
                r.cachedInputPerMillionUsd(), r.effectiveFrom()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("priceListId", SetPrice.idOf(r.providerId(), model));
        body.put("providerId", r.providerId());
        body.put("model", model);
        return body;
    }
}
