package io.llmproxy.command.provider;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.command.config.LlmProxyAdminProperties;
import io.llmproxy.kernel.provider.ProviderType;
import io.llmproxy.kernel.provider.RegisterProvider;
import io.llmproxy.kernel.secret.SecretCipher;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin commands on provider connections ({@code /admin/v1/providers}). */
@RestController
@RequestMapping("/admin/v1/providers")
class ProviderController {

    private final CommandGateway commands;
    private final SecretCipher cipher;

    ProviderController(CommandGateway commands, LlmProxyAdminProperties properties) {
        this.commands = commands;
        this.cipher = new SecretCipher(properties.secretKey());
    }

    /**
     * Request body; {@code apiKey} is write-only: it is encrypted here and never returned or logged.
     * {@code toString} hides it. It is required except for type {@code ollama}, which has no auth
     * (absent or {@code ""}: the edge then sends no {@code Authorization} header).
     */
    record RegisterProviderRequest(@NotBlank @Size(max = 200) String name, @NotBlank String type,
                                   @NotBlank @Size(max = 2000) String baseUrl,
                                   @Size(max = 4000) String apiKey, List<String> apiKeys) {
        @Override
        public String toString() {
            return "RegisterProviderRequest[name=" + name + ", type=" + type + ", baseUrl=" + baseUrl + ", apiKey=***"
                    + (apiKeys == null ? "" : ", apiKeys=" + apiKeys.size() + " more") + "]";
        }
    }

    /** Most extra credentials per provider. */
    static final int MAX_EXTRA_KEYS = 9;

    /**
     * {@code POST /admin/v1/providers {"name","type","baseUrl","apiKey","apiKeys"?}} → 201 {@code {"providerId"}}.
     * {@code apiKeys}: up to {@value #MAX_EXTRA_KEYS} more credentials, write-only and encrypted like
     * {@code apiKey}; the edge uses them in turn and cools each down on its own after a 429 (issue #11).
     */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> register(@Valid @RequestBody RegisterProviderRequest request) {
        String apiKey = request.apiKey() == null ? "" : request.apiKey();
        if (apiKey.isBlank() && !ProviderType.OLLAMA.wireName().equals(request.type())) {
            throw CommandRejected.invalid("apiKey", "apiKey must not be blank (only type ollama may omit it)");
        }
        if (apiKey.chars().anyMatch(Character::isISOControl)) {
            // it goes into an HTTP header: a CR, LF or NUL could never authenticate
            throw CommandRejected.invalid("apiKey", "apiKey must not contain control characters");
        }
        List<String> extra = new java.util.ArrayList<>();
        if (request.apiKeys() != null) {
            if (request.apiKeys().size() > MAX_EXTRA_KEYS) {
                throw CommandRejected.invalid("apiKeys", "at most " + MAX_EXTRA_KEYS + " more credentials");
            }
            for (int i = 0; i < request.apiKeys().size(); i++) {
                String k = request.apiKeys().get(i);
                if (k == null || k.isBlank() || k.length() > 4000 || k.chars().anyMatch(Character::isISOControl)) {
                    throw CommandRejected.invalid("apiKeys[" + i + "]",
                            "each credential must be 1..4000 characters without control characters");
                }
                extra.add(cipher.encrypt(k));
            }
        }
        String providerId = UUID.randomUUID().toString();
        commands.sendAndWait(new RegisterProvider(providerId, request.name(), request.type(), request.baseUrl(),
                cipher.encrypt(apiKey), extra));
        return Map.of("providerId", providerId);
    }
}
