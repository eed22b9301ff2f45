package io.llmproxy.command.provider;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.provider.ProviderRegistered;
import io.llmproxy.kernel.provider.RegisterProvider;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProviderAggregateTest {

    private AggregateTestFixture<Provider> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Provider.class);
    }

    @Test
    void registerProviderNormalisesTheBaseUrl() {
        fixture.givenNoPriorActivity()
                .when(new RegisterProvider("p1", "sim", "openai", "http://127.0.0.1:5100/v1/", "v1:abc"))
                .expectEvents(new ProviderRegistered("p1", "sim", "openai", "http://127.0.0.1:5100/v1", "v1:abc",
                        fixture.currentTime()));
    }

    @Test
    void unknownTypeIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new RegisterProvider("p1", "sim", "openia", "http://x/v1", "v1:abc"))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("type must be one of [openai, azure-openai, anthropic, ollama, cohere, mistral]");
    }

    @Test
    void relativeBaseUrlIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new RegisterProvider("p1", "sim", "openai", "api.openai.com/v1", "v1:abc"))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("baseUrl must be an absolute http(s) URL");
    }

    @Test
    void anAzureBaseUrlMayNameItsApiVersionOtherQueriesAreRefused() {
        fixture.givenNoPriorActivity()
                .when(new RegisterProvider("p1", "az", "azure-openai", "https://r.openai.azure.com/openai?api-version=2024-06-01", "v1:abc"))
                .expectEvents(new ProviderRegistered("p1", "az", "azure-openai", "https://r.openai.azure.com/openai?api-version=2024-06-01",
                        "v1:abc", fixture.currentTime()));
        new AggregateTestFixture<>(Provider.class).givenNoPriorActivity()
                .when(new RegisterProvider("p1", "az", "azure-openai", "https://r.openai.azure.com/openai?key=secret", "v1:abc"))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("baseUrl must not carry credentials, a query or a fragment (the apiKey field holds the credential)");
        new AggregateTestFixture<>(Provider.class).givenNoPriorActivity()
                .when(new RegisterProvider("p1", "o", "openai", "https://api.openai.com/v1?api-version=1", "v1:abc"))
                .expectException(CommandRejected.class);
    }
}
