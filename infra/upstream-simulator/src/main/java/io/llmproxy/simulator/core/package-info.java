/**
 * Provider-neutral deterministic generation: the sim tokenizer, normalized requests and the
 * {@link io.llmproxy.simulator.core.CompletionPlan} every provider format renders. Nothing here
 * knows about HTTP or any provider's JSON.
 */
package io.llmproxy.simulator.core;
