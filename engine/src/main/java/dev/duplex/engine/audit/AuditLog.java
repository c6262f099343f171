package dev.duplex.engine.audit;

import java.util.List;

/** The audit log port: who did what to which object. Append-only. */
public interface AuditLog {
    void record(AuditEntry entry);

    /** The newest entries first, at most {@code limit}. */
    List<AuditEntry> recent(int limit);
}
