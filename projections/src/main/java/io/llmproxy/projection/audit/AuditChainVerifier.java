package io.llmproxy.projection.audit;

import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Walks a tenant's audit chains (admin, then usage) in sequence order, recomputing every hash
 * from the stored columns and the previous row's stored hash, and checks each chain's head.
 */
@Component
public class AuditChainVerifier {

    /**
     * The first row found broken.
     *
     * @param source       the chain ({@code admin} or {@code usage})
     * @param seq          the row's position in its chain (the expected position for a gap)
     * @param id           the row's {@code audit_log.id}; null for a missing tail
     * @param eventId      the row's event id; null for a missing tail
     * @param reason       {@code hash_mismatch} (content or hash altered), {@code sequence_gap}
     *                     (rows removed or inserted before this one), {@code missing_tail} (the
     *                     chain head is ahead of the last row: rows removed at the end)
     * @param expectedHash the hash recomputed from the row and its predecessor (or the head's hash)
     * @param storedHash   the hash stored in the row (null for a missing tail)
     */
    public record Broken(String source, long seq, Long id, String eventId, String reason, String expectedHash,
                         String storedHash) {
    }

    /** @param rows rows checked (all of them when ok) @param firstBroken null when ok */
    public record Verification(boolean ok, long rows, Broken firstBroken) {
    }

    private static final int FETCH_SIZE = 2000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AuditLog auditLog;

    public AuditChainVerifier(JdbcTemplate jdbc, TransactionTemplate tx, AuditLog auditLog) {
        this.jdbc = new JdbcTemplate(jdbc.getDataSource());
        this.jdbc.setFetchSize(FETCH_SIZE);
        // one snapshot for rows and heads, so appends committed meanwhile cannot look like a broken tail
        this.tx = new TransactionTemplate(tx.getTransactionManager());
        this.tx.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.tx.setReadOnly(true);
        this.auditLog = auditLog;
    }

    /**
     * @param chainId a tenant id, or {@value AuditLog#NO_TENANT_CHAIN} for events of no tenant
     * @return ok with the number of rows, or the first broken row (admin chain before usage chain)
     */
    public Verification verify(String chainId) {
        return tx.execute(status -> {
            long rows = 0;
            for (String source : List.of(AuditLog.SOURCE_ADMIN, AuditLog.SOURCE_USAGE)) {
                ChainWalk walk = walk(chainId, source);
                rows += walk.rows;
                if (walk.broken != null) {
                    return new Verification(false, rows, walk.broken);
                }
            }
            return new Verification(true, rows, null);
        });
    }

    private static final class ChainWalk {
        long rows;
        long expectedSeq = 1;
        String previous = AuditRow.GENESIS;
        Broken broken;
    }

    private ChainWalk walk(String chainId, String source) {
        ChainWalk walk = new ChainWalk();
        var mapper = auditLog.rowMapper();
        jdbc.query("SELECT " + AuditLog.COLUMNS + " FROM audit_log WHERE chain_id = ? AND source = ? ORDER BY seq",
                rs -> {
                    if (walk.broken != null) {
                        return;
                    }
                    walk.rows++;
                    AuditRow row = mapper.mapRow(rs, 0);
                    String stored = rs.getString(11);
                    String expected = row.hash(walk.previous);
                    if (row.seq() != walk.expectedSeq) {
                        walk.broken = new Broken(source, walk.expectedSeq, rs.getLong(12), row.eventId(), "sequence_gap",
                                expected, stored);
                    } else if (!expected.equals(stored)) {
                        walk.broken = new Broken(source, row.seq(), rs.getLong(12), row.eventId(), "hash_mismatch",
                                expected, stored);
                    }
                    walk.previous = stored == null ? expected : stored;
                    walk.expectedSeq = row.seq() + 1;
                }, chainId, source);
        if (walk.broken == null) {
            List<Map<String, Object>> head = jdbc.queryForList(
                    "SELECT seq, hash FROM audit_chain_head WHERE chain_id = ? AND source = ?", chainId, source);
            long headSeq = head.isEmpty() ? 0 : ((Number) head.get(0).get("seq")).longValue();
            String headHash = head.isEmpty() ? AuditRow.GENESIS : (String) head.get(0).get("hash");
            if (headSeq != walk.expectedSeq - 1 || !headHash.equals(walk.previous)) {
                walk.broken = new Broken(source, walk.expectedSeq, null, null, "missing_tail", headHash, null);
            }
        }
        return walk;
    }
}
