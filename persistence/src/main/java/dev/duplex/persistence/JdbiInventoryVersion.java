package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.jdbi.v3.core.Jdbi;

/**
 * The inventory's version (V10): a counter every write to endpoints, images, volumes, VMs, their
 * links, pairs and their members bumps in its own transaction. Equal versions mean equal inventory
 * lists, on any node sharing the database; a server keeps a rendered list until the version moves.
 * Since V11 the counter is 64 slots, one per connection's {@code pg_backend_pid() % 64}, so writers
 * on different connections do not queue on one row; the version is their sum, read in one statement.
 */
public final class JdbiInventoryVersion {
    private final Jdbi jdbi;
    private final SqlErrors errors;

    @Inject
    public JdbiInventoryVersion(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    /**
     * The version now committed. Read it before reading the lists it stands for: rows read
     * afterwards are at least that new, never older.
     */
    public long current() {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT sum(version)::bigint FROM inventory_version")
                .mapTo(Long.class).one()));
    }
}
