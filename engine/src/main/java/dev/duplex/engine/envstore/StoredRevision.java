package dev.duplex.engine.envstore;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentSnapshot;
import java.time.Instant;

/**
 * A revision of a VM's operating-environment info as Duplex received it.
 *
 * @param target the VM (or pair member) it belongs to
 * @param snapshot revision and items
 * @param receivedAt when it was recorded
 */
public record StoredRevision(String target, EnvironmentSnapshot snapshot, Instant receivedAt) {
    public StoredRevision {
        requireNonNull(target, "target is null");
        requireNonNull(snapshot, "snapshot is null");
        requireNonNull(receivedAt, "receivedAt is null");
    }
}
