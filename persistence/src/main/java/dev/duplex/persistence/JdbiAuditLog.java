package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import jakarta.inject.Inject;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The audit log in PostgreSQL. The before and after values are stored as {@code jsonb} (so they
 * can be queried; PostgreSQL normalises their spacing and key order), and a trigger refuses any
 * change to a line once written.
 */
public final class JdbiAuditLog implements AuditLog {
    private final Jdbi jdbi;
    private final SqlErrors errors;

    @Inject
    public JdbiAuditLog(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    @Override
    public void record(AuditEntry entry) {
        requireNonNull(entry, "entry is null");
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log (at, actor, action, object, before, after)
                        VALUES (:at, :actor, :action, :object, CAST(:before AS jsonb), CAST(:after AS jsonb))""")
                .bind("at", entry.at().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC))
                .bind("actor", entry.actor().name()).bind("action", entry.action()).bind("object", entry.object())
                .bind("before", entry.beforeJson().orElse(null)).bind("after", entry.afterJson().orElse(null))
                .execute()));
    }

    @Override
    public List<AuditEntry> recent(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit is negative: " + limit);
        }
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("""
                        SELECT at, actor, action, object, before::text AS before, after::text AS after
                        FROM audit_log ORDER BY at DESC, id DESC LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new AuditEntry(JdbiJobQueue.instant(rs, "at").orElseThrow(), new Actor(rs.getString("actor")),
                        rs.getString("action"), rs.getString("object"), Optional.ofNullable(rs.getString("before")).map(AuditEntry::parse),
                        Optional.ofNullable(rs.getString("after")).map(AuditEntry::parse)))
                .list()));
    }
}
