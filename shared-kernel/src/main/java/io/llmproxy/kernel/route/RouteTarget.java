package io.llmproxy.kernel.route;

/**
 * Value object: where a public model name goes.
 *
 * @param providerId the provider connection
 * @param model      the provider's model name (for Azure OpenAI later: the deployment)
 */
public record RouteTarget(String providerId, String model) {
}
