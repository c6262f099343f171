package dev.duplex.engine.testing;

import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.audit.AuditLog;
import java.util.ArrayList;
import java.util.List;

public final class FakeAuditLog implements AuditLog {
    private final List<AuditEntry> entries = new ArrayList<>();

    @Override
    public synchronized void record(AuditEntry entry) {
        entries.add(entry);
    }

    @Override
    public synchronized List<AuditEntry> recent(int limit) {
        List<AuditEntry> newestFirst = new ArrayList<>(entries);
        java.util.Collections.reverse(newestFirst);
        return newestFirst.subList(0, Math.min(limit, newestFirst.size()));
    }
}
