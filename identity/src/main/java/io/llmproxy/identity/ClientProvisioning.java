package io.llmproxy.identity;

import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.ClientScopeResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

/**
 * The clients part of {@link RealmProvisioner}: the audience client scope and the two clients.
 * <ul>
 *   <li>client scope {@link LlmproxyRealm#API_AUDIENCE_SCOPE}: an {@code oidc-audience-mapper} putting
 *       {@link LlmproxyRealm#API_AUDIENCE} into {@code aud} of access tokens (not of ID tokens), not
 *       listed in the {@code scope} claim;</li>
 *   <li>{@link LlmproxyRealm#ADMIN_UI_CLIENT}: public, authorization code flow only, PKCE method S256
 *       required, no implicit flow, no password grant, no service account; redirect and post-logout
 *       redirect URIs {@code <origin>/*} and web origins for each UI origin;</li>
 *   <li>{@link LlmproxyRealm#AUTOMATION_CLIENT}: confidential (client secret), client-credentials grant
 *       only (service account {@link LlmproxyRealm#AUTOMATION_SERVICE_ACCOUNT}); its secret is set to
 *       the spec's when it differs.</li>
 * </ul>
 * Both clients hold the audience scope as a default client scope.
 */
final class ClientProvisioning {

    static final String OIDC = "openid-connect";
    static final String AUDIENCE_MAPPER_NAME = "llmproxy-api audience";
    static final String PKCE_METHOD = "pkce.code.challenge.method";
    static final String POST_LOGOUT_REDIRECT_URIS = "post.logout.redirect.uris";

    private final RealmResource realm;
    private final RealmSpec spec;
    private final List<String> changes;

    ClientProvisioning(RealmResource realm, RealmSpec spec, List<String> changes) {
        this.realm = realm;
        this.spec = spec;
        this.changes = changes;
    }

    void run() {
        String scopeId = ensureAudienceScope();
        ensureClient(adminUi(), scopeId);
        ensureClient(automation(), scopeId);
    }

    private ClientRepresentation adminUi() {
        ClientRepresentation c = base(LlmproxyRealm.ADMIN_UI_CLIENT, "LLM Proxy admin console");
        c.setPublicClient(true);
        c.setStandardFlowEnabled(true);
        c.setServiceAccountsEnabled(false);
        List<String> redirects = spec.uiOrigins().stream().map(o -> o + "/*").toList();
        c.setRedirectUris(redirects);
        c.setWebOrigins(spec.uiOrigins());
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(PKCE_METHOD, "S256");
        attributes.put(POST_LOGOUT_REDIRECT_URIS, String.join("##", redirects));
        c.setAttributes(attributes);
        return c;
    }

    private ClientRepresentation automation() {
        ClientRepresentation c = base(LlmproxyRealm.AUTOMATION_CLIENT, "LLM Proxy automation");
        c.setPublicClient(false);
        c.setClientAuthenticatorType("client-secret");
        c.setStandardFlowEnabled(false);
        c.setServiceAccountsEnabled(true);
        c.setRedirectUris(List.of());
        c.setWebOrigins(List.of());
        c.setAttributes(new LinkedHashMap<>());
        return c;
    }

    private static ClientRepresentation base(String clientId, String name) {
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(clientId);
        c.setName(name);
        c.setProtocol(OIDC);
        c.setEnabled(true);
        c.setBearerOnly(false);
        c.setConsentRequired(false);
        c.setImplicitFlowEnabled(false);
        c.setDirectAccessGrantsEnabled(false);
        return c;
    }

    private void ensureClient(ClientRepresentation desired, String audienceScopeId) {
        String what = "client " + desired.getClientId();
        boolean confidential = Boolean.FALSE.equals(desired.isPublicClient());
        ClientRepresentation current = realm.clients().findByClientId(desired.getClientId()).stream()
                .findFirst()
                .orElse(null);
        String id;
        if (current == null) {
            if (confidential) {
                desired.setSecret(spec.automationClientSecret());
            }
            try (Response response = realm.clients().create(desired)) {
                id = CreatedResponseUtil.getCreatedId(response);
            }
            changes.add(what + ": created");
        } else {
            id = current.getId();
            List<String> differing = new ArrayList<>();
            ClientRepresentation c = current;
            Diff.field("name", c.getName(), desired.getName(), c::setName, differing);
            Diff.field("protocol", c.getProtocol(), desired.getProtocol(), c::setProtocol, differing);
            Diff.field("enabled", c.isEnabled(), desired.isEnabled(), c::setEnabled, differing);
            Diff.field("bearerOnly", c.isBearerOnly(), desired.isBearerOnly(), c::setBearerOnly, differing);
            Diff.field("consentRequired", c.isConsentRequired(), desired.isConsentRequired(), c::setConsentRequired,
                    differing);
            Diff.field("publicClient", c.isPublicClient(), desired.isPublicClient(), c::setPublicClient, differing);
            Diff.field("standardFlowEnabled", c.isStandardFlowEnabled(), desired.isStandardFlowEnabled(),
                    c::setStandardFlowEnabled, differing);
            Diff.field("implicitFlowEnabled", c.isImplicitFlowEnabled(), desired.isImplicitFlowEnabled(),
                    c::setImplicitFlowEnabled, differing);
            Diff.field("directAccessGrantsEnabled", c.isDirectAccessGrantsEnabled(),
                    desired.isDirectAccessGrantsEnabled(), c::setDirectAccessGrantsEnabled, differing);
            Diff.field("serviceAccountsEnabled", c.isServiceAccountsEnabled(), desired.isServiceAccountsEnabled(),
                    c::setServiceAccountsEnabled, differing);
            if (confidential) {
                Diff.field("clientAuthenticatorType", c.getClientAuthenticatorType(),
                        desired.getClientAuthenticatorType(), c::setClientAuthenticatorType, differing);
            }
            Diff.set("redirectUris", c.getRedirectUris(), desired.getRedirectUris(), c::setRedirectUris, differing);
            Diff.set("webOrigins", c.getWebOrigins(), desired.getWebOrigins(), c::setWebOrigins, differing);
            Map<String, String> attributes = c.getAttributes() == null ? new HashMap<>() : new HashMap<>(c.getAttributes());
            if (Diff.entries("attributes", attributes, desired.getAttributes(), differing)) {
                c.setAttributes(attributes);
            }
            if (!differing.isEmpty()) {
                realm.clients().get(id).update(c);
            }
            // Read after the update: a client that had been made public has no secret to compare.
            if (confidential) {
                ClientResource resource = realm.clients().get(id);
                if (!spec.automationClientSecret().equals(resource.getSecret().getValue())) {
                    ClientRepresentation withSecret = resource.toRepresentation();
                    withSecret.setSecret(spec.automationClientSecret());
                    resource.update(withSecret);
                    differing.add("secret");
                }
            }
            if (!differing.isEmpty()) {
                changes.add(what + ": updated " + String.join(", ", differing));
            }
        }
        ClientResource client = realm.clients().get(id);
        boolean hasAudience = client.getDefaultClientScopes().stream()
                .anyMatch(s -> LlmproxyRealm.API_AUDIENCE_SCOPE.equals(s.getName()));
        if (!hasAudience) {
            client.addDefaultClientScope(audienceScopeId);
            changes.add(what + ": added default client scope " + LlmproxyRealm.API_AUDIENCE_SCOPE);
        }
    }

    /** @return the id of the audience client scope */
    private String ensureAudienceScope() {
        String what = "client scope " + LlmproxyRealm.API_AUDIENCE_SCOPE;
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("include.in.token.scope", "false");
        attributes.put("display.on.consent.screen", "false");
        ProtocolMapperRepresentation mapper = audienceMapper();
        ClientScopeRepresentation current = realm.clientScopes().findAll().stream()
                .filter(s -> LlmproxyRealm.API_AUDIENCE_SCOPE.equals(s.getName()))
                .findFirst()
                .orElse(null);
        if (current == null) {
            ClientScopeRepresentation scope = new ClientScopeRepresentation();
            scope.setName(LlmproxyRealm.API_AUDIENCE_SCOPE);
            scope.setDescription("Puts " + LlmproxyRealm.API_AUDIENCE + " into the aud claim of access tokens");
            scope.setProtocol(OIDC);
            scope.setAttributes(attributes);
            scope.setProtocolMappers(List.of(mapper));
            try (Response response = realm.clientScopes().create(scope)) {
                String id = CreatedResponseUtil.getCreatedId(response);
                changes.add(what + ": created (audience " + LlmproxyRealm.API_AUDIENCE + ")");
                return id;
            }
        }
        ClientScopeResource scope = realm.clientScopes().get(current.getId());
        List<String> differing = new ArrayList<>();
        Diff.field("protocol", current.getProtocol(), OIDC, current::setProtocol, differing);
        Map<String, String> have = current.getAttributes() == null ? new HashMap<>() : new HashMap<>(current.getAttributes());
        if (Diff.entries("attributes", have, attributes, differing)) {
            current.setAttributes(have);
        }
        if (!differing.isEmpty()) {
            current.setProtocolMappers(null);
            scope.update(current);
            changes.add(what + ": updated " + String.join(", ", differing));
        }
        ProtocolMapperRepresentation existing = scope.getProtocolMappers().getMappers().stream()
                .filter(m -> AUDIENCE_MAPPER_NAME.equals(m.getName()))
                .findFirst()
                .orElse(null);
        if (existing == null) {
            try (Response response = scope.getProtocolMappers().createMapper(mapper)) {
                CreatedResponseUtil.getCreatedId(response);
            }
            changes.add(what + ": created mapper " + AUDIENCE_MAPPER_NAME);
        } else {
            List<String> mapperDiff = new ArrayList<>();
            Diff.field("protocolMapper", existing.getProtocolMapper(), mapper.getProtocolMapper(),
                    existing::setProtocolMapper, mapperDiff);
            Map<String, String> config = existing.getConfig() == null ? new HashMap<>() : new HashMap<>(existing.getConfig());
            if (Diff.entries("config", config, mapper.getConfig(), mapperDiff)) {
                existing.setConfig(config);
            }
            if (!mapperDiff.isEmpty()) {
                scope.getProtocolMappers().update(existing.getId(), existing);
                changes.add(what + ": updated mapper " + AUDIENCE_MAPPER_NAME + " " + String.join(", ", mapperDiff));
            }
        }
        return Objects.requireNonNull(current.getId());
    }

    private static ProtocolMapperRepresentation audienceMapper() {
        ProtocolMapperRepresentation m = new ProtocolMapperRepresentation();
        m.setName(AUDIENCE_MAPPER_NAME);
        m.setProtocol(OIDC);
        m.setProtocolMapper("oidc-audience-mapper");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("included.custom.audience", LlmproxyRealm.API_AUDIENCE);
        config.put("access.token.claim", "true");
        config.put("id.token.claim", "false");
        config.put("userinfo.token.claim", "false");
        config.put("introspection.token.claim", "true");
        m.setConfig(config);
        return m;
    }
}
