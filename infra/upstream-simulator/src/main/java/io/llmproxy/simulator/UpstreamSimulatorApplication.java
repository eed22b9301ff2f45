package io.llmproxy.simulator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The upstream simulator: a deterministic stand-in for LLM providers, used by tests and benchmarks
 * of the proxy instead of real (paid, rate-limited, non-deterministic) provider APIs.
 *
 * <p>Layout: provider-neutral generation lives in {@code io.llmproxy.simulator.core} (tokenizer,
 * {@link io.llmproxy.simulator.core.CompletionPlan}), provider-neutral HTTP knobs ({@code x-sim-*}
 * headers, latency) in {@code io.llmproxy.simulator.http}, and each provider's wire format in a package
 * of its own: {@code io.llmproxy.simulator.openai} for the OpenAI Chat Completions API. A new provider
 * (Anthropic {@code /v1/messages}, Ollama {@code /api/chat}, ...) is one more package with a request
 * parser into {@link io.llmproxy.simulator.core.NormalizedChatRequest}, a response writer from a
 * {@link io.llmproxy.simulator.core.CompletionPlan}, and a {@code RouterFunction} bean.
 *
 * <p>Listens on {@code ${SIMULATOR_PORT:5100}}; health at {@code /actuator/health}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class UpstreamSimulatorApplication {

    public static void main(String[] args) {
        SpringApplication.run(UpstreamSimulatorApplication.class, args);
    }
}
