package io.llmproxy.kernel.route;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Value object: one place a public model name can go (issue #11).
 *
 * @param providerId the provider connection
 * @param model      the provider's model name (for Azure OpenAI: the deployment)
 * @param weight     share of calls under the {@code weighted} strategy, proportional to the other
 *                   targets' weights, 1..1000; null = 1 (routes defined before issue #11)
 * @param priority   order under the {@code priority} strategy, the lowest healthy number first,
 *                   0..1000; null = the target's position in the list
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteTarget(String providerId, String model, Integer weight, Integer priority) {

    /** A target with the default weight and priority. */
    public RouteTarget(String providerId, String model) {
        this(providerId, model, null, null);
    }

    /** @return the weight, 1 when unset */
    public int weightOrDefault() {
        return weight == null ? 1 : weight;
    }
}
