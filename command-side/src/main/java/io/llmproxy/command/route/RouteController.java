package io.llmproxy.command.route;

import io.llmproxy.kernel.route.DefineRoute;
import io.llmproxy.kernel.route.RoutePolicy;
import io.llmproxy.kernel.route.RouteTarget;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin commands on model routes: global ({@code /admin/v1/routes/{model}}) and per tenant. */
@RestController
class RouteController {

    private final CommandGateway commands;

    RouteController(CommandGateway commands) {
        this.commands = commands;
    }

    record Target(@NotBlank String providerId, @NotBlank String model, Integer weight, Integer priority) {
    }

    /**
     * The body of both PUTs: targets and the optional policy (issue #11, README "Routing").
     * {@code retry} {@code {"attempts","backoffMs"}}; {@code timeouts} {@code {"connectMs","ttfbMs","idleMs","totalMs"}}.
     */
    record DefineRouteRequest(@NotEmpty List<@Valid Target> targets, String strategy, List<String> fallbacks,
                              RoutePolicy.Retry retry, RoutePolicy.Timeouts timeouts) {
    }

    /**
     * {@code PUT /admin/v1/routes/{model} {"targets":[{"providerId","model","weight"?,"priority"?}],
     * "strategy"?,"fallbacks"?,"retry"?,"timeouts"?}} → 204: a global route. 400 naming the field for an
     * invalid definition (weight ≤ 0, unknown strategy, a fallback cycle, retries above the cap); 404 for
     * an unknown provider or fallback model.
     */
    @PutMapping("/admin/v1/routes/{*model}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void define(@PathVariable String model, @Valid @RequestBody DefineRouteRequest request) {
        String name = strip(model);
        commands.sendAndWait(new DefineRoute(DefineRoute.idOf(null, name), null, name, targets(request), policy(request)));
    }

    /**
     * {@code PUT /admin/v1/tenants/{tenantId}/routes/{model}} → 204: a route only that tenant's keys
     * see; it takes precedence over a global route of the same name for that tenant.
     */
    @PutMapping("/admin/v1/tenants/{tenantId}/routes/{*model}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void defineForTenant(@PathVariable String tenantId, @PathVariable String model,
                         @Valid @RequestBody DefineRouteRequest request) {
        String name = strip(model);
        commands.sendAndWait(new DefineRoute(DefineRoute.idOf(tenantId, name), tenantId, name, targets(request),
                policy(request)));
    }

    /** The model is the rest of the path, so names with slashes ({@code openai/gpt-4o}) need no escaping. */
    private static String strip(String captured) {
        return captured.startsWith("/") ? captured.substring(1) : captured;
    }

    private static List<RouteTarget> targets(DefineRouteRequest request) {
        return request.targets().stream().map(t -> new RouteTarget(t.providerId(), t.model(), t.weight(), t.priority()))
                .toList();
    }

    /** @return the policy of the request, null when it sets none (the default policy) */
    private static RoutePolicy policy(DefineRouteRequest r) {
        if (r.strategy() == null && r.fallbacks() == null && r.retry() == null && r.timeouts() == null) {
            return null;
        }
        return new RoutePolicy(r.strategy(), r.fallbacks(), r.retry(), r.timeouts());
    }
}
