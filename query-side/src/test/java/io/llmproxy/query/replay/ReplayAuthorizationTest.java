package io.llmproxy.query.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.llmproxy.kernel.apikey.ApiKeys;
import io.llmproxy.testsupport.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may start a replay or read one (ADR 0023; the permission matrix: {@code projections:replay},
 * PlatformAdmin only): every tenant role, a token without a role, a removed PlatformAdmin, a
 * PlatformAdmin role written at a tenant's scope, no token, an API key, the admin token as Basic,
 * and access tokens that are expired, signed by another key, unsigned, HMAC-signed, for another
 * audience or issuer. Each is refused (403 or 401 problem JSON) on every replay endpoint and starts
 * nothing; the two PlatformAdmin callers get the state, whose fields name instances, never a tenant.
 */
class ReplayAuthorizationTest extends ReplayWebTestBase {

    static final UUID SEEDED = UUID.fromString("00000000-0000-4000-8000-00000000a001");
    static final List<String> ENDPOINTS = List.of("POST /admin/v1/projections/admin-read-model/replay",
            "POST /admin/v1/projections/audit-admin/replay", "POST /admin/v1/projections/billing/replay",
            "POST /admin/v1/projections/keycloak-user-provisioning/replay",
            "GET /admin/v1/projections/admin-read-model/replays/" + SEEDED);

    @BeforeEach
    void seed() {
        assign("platform@example.org", "PlatformAdmin", null, null, false);
        assign("gone@example.org", "PlatformAdmin", null, null, true);
        assign("scoped@example.org", "PlatformAdmin", TENANT, null, false);
        assign("admin@example.org", "TenantAdmin", TENANT, "u-admin", false);
        assign("admin@example.org", "TenantAdmin", OTHER_TENANT, "u-admin-2", false);
        assign("dev@example.org", "Developer", TENANT, "u-dev", false);
        assign("finance@example.org", "FinanceReader", TENANT, "u-fin", false);
        assign("auditor@example.org", "Auditor", TENANT, "u-aud", false);
        jdbc.update("""
                INSERT INTO projection_replay (id, processor, requested_by, requested_at, state, reset_by, reset_started_at,
                    finished_at) VALUES (?, 'admin-read-model', 'node-a', now(), 'DONE', 'node-b', now(), now())
                ON CONFLICT DO NOTHING""", SEEDED);
    }

    static Stream<Arguments> refused() throws Exception {
        Instant in5 = Instant.now().plusSeconds(300);
        RSASSASigner forger = new RSASSASigner(rsa("k1"));
        String unsigned = new PlainJWT(new JWTClaimsSet.Builder().issuer(ISSUER).audience("llmproxy-api")
                .claim("preferred_username", "platform@example.org").expirationTime(Date.from(in5)).build()).serialize();
        MACSigner hmac = new MACSigner(Base64.getEncoder().encode(KEY.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        return Stream.of(
                Arguments.of("TenantAdmin (of two tenants)", "Bearer " + jwt("admin@example.org"), 403),
                Arguments.of("Developer", "Bearer " + jwt("dev@example.org"), 403),
                Arguments.of("FinanceReader", "Bearer " + jwt("finance@example.org"), 403),
                Arguments.of("Auditor", "Bearer " + jwt("auditor@example.org"), 403),
                Arguments.of("PlatformAdmin written at a tenant's scope", "Bearer " + jwt("scoped@example.org"), 403),
                Arguments.of("removed PlatformAdmin", "Bearer " + jwt("gone@example.org"), 403),
                Arguments.of("valid token, no role assignment", "Bearer " + jwt("nobody@example.org"), 403),
                Arguments.of("no token", null, 401),
                Arguments.of("API key", "Bearer " + ApiKeys.generate(), 401),
                Arguments.of("admin token as Basic", "Basic " + Base64.getEncoder().encodeToString(
                        (ADMIN_TOKEN + ":").getBytes(StandardCharsets.UTF_8)), 401),
                Arguments.of("admin token with a suffix", "Bearer " + ADMIN_TOKEN + "x", 401),
                Arguments.of("expired PlatformAdmin token", "Bearer " + jwt("platform@example.org",
                        Instant.now().minusSeconds(120), new RSASSASigner(KEY), JWSAlgorithm.RS256, ISSUER, "llmproxy-api"), 401),
                Arguments.of("PlatformAdmin token signed by another key, same kid", "Bearer " + jwt("platform@example.org",
                        in5, forger, JWSAlgorithm.RS256, ISSUER, "llmproxy-api"), 401),
                Arguments.of("unsigned PlatformAdmin token (alg none)", "Bearer " + unsigned, 401),
                Arguments.of("HS256 keyed with the public key", "Bearer " + jwt("platform@example.org", in5, hmac,
                        JWSAlgorithm.HS256, ISSUER, "llmproxy-api"), 401),
                Arguments.of("PlatformAdmin token for another audience", "Bearer " + jwt("platform@example.org", in5,
                        new RSASSASigner(KEY), JWSAlgorithm.RS256, ISSUER, "account"), 401),
                Arguments.of("PlatformAdmin token of another issuer", "Bearer " + jwt("platform@example.org", in5,
                        new RSASSASigner(KEY), JWSAlgorithm.RS256, "http://evil.test/realms/llmproxy", "llmproxy-api"), 401));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("refused")
    void everyoneButAPlatformAdminIsRefusedAndStartsNothing(String caller, String authorization, int status) throws Exception {
        long replays = count("projection_replay");
        SoftAssertions soft = new SoftAssertions();
        for (String endpoint : ENDPOINTS) {
            String[] call = endpoint.split(" ");
            RawHttp.Answer answer = send(call[0], call[1], authorization);
            String what = caller + ": " + endpoint + " → " + answer.status() + " " + answer.body();
            soft.assertThat(answer.status()).as(what).isEqualTo(status);
            soft.assertThat(answer.header("content-type")).as(what).startsWith("application/problem+json");
            soft.assertThat(body(answer).get("code").asString()).as(what).isEqualTo(status == 401 ? "unauthorized" : "forbidden");
            soft.assertThat(answer.body()).as(what).doesNotContain(SEEDED.toString()).doesNotContain("node-a");
        }
        soft.assertThat(count("projection_replay")).as("replay requests").isEqualTo(replays);
        soft.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("platformAdmins")
    void aPlatformAdminReadsTheStateWhichNamesInstancesOnly(String caller, String authorization) throws Exception {
        RawHttp.Answer state = send("GET", "/admin/v1/projections/admin-read-model/replays/" + SEEDED, authorization);
        assertThat(state.status()).as(state.body()).isEqualTo(200);
        Set<String> fields = new TreeSet<>();
        body(state).propertyNames().forEach(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("replayId", "projection", "state", "requestedBy", "requestedAt",
                "resetBy", "resetStartedAt", "finishedAt", "detail", "acks");
        assertThat(body(state).get("requestedBy").asString()).isEqualTo("node-a");
        assertThat(body(state).get("resetBy").asString()).isEqualTo("node-b");
        assertThat(state.body()).doesNotContain(TENANT).doesNotContain(OTHER_TENANT);

        RawHttp.Answer billing = send("POST", "/admin/v1/projections/billing/replay", authorization);
        assertThat(billing.status()).as(billing.body()).isEqualTo(200);
        assertThat(body(billing).get("rows").asInt()).isZero();
    }

    static Stream<Arguments> platformAdmins() {
        return Stream.of(Arguments.of("PlatformAdmin token", "Bearer " + jwt("platform@example.org")),
                Arguments.of("bootstrap token", "Bearer " + ADMIN_TOKEN));
    }

    /** The matrix row as admin-web enforces it: the replay endpoints are platform endpoints of {@code projections:replay}. */
    @Test
    void theReplayEndpointsArePlatformRulesOfProjectionsReplay() {
        var rules = io.llmproxy.adminweb.security.EndpointPermissions.RULES.stream()
                .filter(r -> r.pattern().startsWith("/admin/v1/projections/")).toList();
        assertThat(rules).hasSize(2).allSatisfy(r -> {
            assertThat(r.tenantFrom()).isEqualTo(io.llmproxy.adminweb.security.EndpointPermissions.TenantFrom.PLATFORM);
            assertThat(r.permissions()).containsExactly(io.llmproxy.kernel.access.Permission.PROJECTIONS_REPLAY);
            assertThat(r.own()).isNull();
        });
        assertThat(io.llmproxy.kernel.access.Role.values()).filteredOn(io.llmproxy.kernel.access.Permission.PROJECTIONS_REPLAY::heldBy)
                .containsExactly(io.llmproxy.kernel.access.Role.PlatformAdmin);
    }
}
