package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import jakarta.inject.Inject;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The audit log in PostgreSQL. The before and after values are stored as {@code jsonb} (so they
 * can be queried; PostgreSQL normalises their spacing and key order), and a trigger refuses any
 * change to a line once written. Lines that many jobs write at once share one statement and one
 * synchronous commit ({@link GroupCommit}); each caller returns once its own line is on disk.
 */
public final class JdbiAuditLog implements AuditLog {
    private final Jdbi jdbi;
    private final SqlErrors errors;
    private final GroupCommit<AuditEntry> lines = new GroupCommit<>(this::write);

    @Inject
    public JdbiAuditLog(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    @Override
    public void record(AuditEntry entry) {
        lines.write(requireNonNull(entry, "entry is null"));
    }

    /** Writes the entries in one statement, in their order (the log's ids follow it). */
    private void write(List<AuditEntry> entries) {
        // the times as text: PostgreSQL reads an ISO instant into timestamptz exactly, to the microsecond
        List<String> at = entries.stream().map(e -> e.at().truncatedTo(ChronoUnit.MICROS).toString()).toList();
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log (at, actor, action, object, before, after)
                        SELECT at, actor, action, object, CAST(before AS jsonb), CAST(after AS jsonb)
                        FROM unnest(CAST(:at AS timestamptz[]), CAST(:actor AS text[]), CAST(:action AS text[]),
                                    CAST(:object AS text[]), CAST(:before AS text[]), CAST(:after AS text[]))
                             WITH ORDINALITY AS e(at, actor, action, object, before, after, position)
                        ORDER BY position""")
                .bindArray("at", String.class, at)
                .bindArray("actor", String.class, entries.stream().map(e -> e.actor().name()).toList())
                .bindArray("action", String.class, entries.stream().map(AuditEntry::action).toList())
                .bindArray("object", String.class, entries.stream().map(AuditEntry::object).toList())
                .bindArray("before", String.class, entries.stream().map(e -> e.beforeJson().orElse(null)).toList())
                .bindArray("after", String.class, entries.stream().map(e -> e.afterJson().orElse(null)).toList())
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
