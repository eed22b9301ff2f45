package io.llmproxy.projection.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hashed content of one audit row. Pure.
 *
 * <p>{@code hash = lowercase hex of SHA-256( UTF-8( canonicalJson ) ‖ ASCII( previousHash ) )},
 * where {@code canonicalJson} is {@link CanonicalJson} of the object
 * {@code {"actor","apiKeyId","data","eventId","eventType","occurredAt","seq","source","tenantId"}}
 * ({@code occurredAt} as ISO-8601 UTC, {@link Instant#toString()}, microsecond precision;
 * {@code seq} a number) and {@code previousHash} is the hash of the row before it in the same
 * chain, or {@link #GENESIS} for {@code seq = 1}.
 *
 * @param chainId    tenant id, or {@value AuditLog#NO_TENANT_CHAIN} for events of no tenant
 * @param source     {@code admin} or {@code usage}: each (chainId, source) is one hash chain
 * @param seq        position in the chain, 1, 2, 3… without gaps
 * @param eventId    the event's id (Axon message id, or usage {@code eventId})
 * @param tenantId   tenant, or null
 * @param eventType  e.g. {@code ApiKeyIssued}, {@code UsageRecorded}
 * @param occurredAt event time (UTC), truncated to microseconds
 * @param actor      who caused it: {@code admin-token[:name]} for admin commands, {@code api-key:<id>}
 *                   for calls; null when unknown (events stored before actors were recorded)
 * @param apiKeyId   the API key the event is about, or null
 * @param data       the event's fields (JSON object), without key material
 */
public record AuditRow(String chainId, String source, long seq, String eventId, String tenantId, String eventType,
                       Instant occurredAt, String actor, String apiKeyId, JsonNode data) {

    /** The previous hash of a chain's first row: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    /** @return the canonical JSON of this row's content (see the class comment) */
    public String canonicalJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("actor", actor);
        o.put("apiKeyId", apiKeyId);
        o.set("data", data == null ? f.nullNode() : data);
        o.put("eventId", eventId);
        o.put("eventType", eventType);
        o.put("occurredAt", occurredAt.toString());
        o.put("seq", seq);
        o.put("source", source);
        o.put("tenantId", tenantId);
        return CanonicalJson.of(o);
    }

    /** @return the hash of this row chained after {@code previousHash} */
    public String hash(String previousHash) {
        return hashOf(canonicalJson(), previousHash);
    }

    /**
     * @param canonicalJson the row's canonical JSON ({@link #canonicalJson()}, or {@link CanonicalJson#row})
     * @return the hash of that row chained after {@code previousHash}
     */
    static String hashOf(String canonicalJson, String previousHash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(canonicalJson.getBytes(StandardCharsets.UTF_8));
            sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
