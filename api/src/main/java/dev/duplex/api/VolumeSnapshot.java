package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A copy-on-write snapshot of one volume, taken before an upgrade lets a new version write to
 * the only copy of its database, so that a rollback can put the old version back on the old data.
 * A driver finds its snapshots again after a restart by their volume and name
 * ({@link HypervisorDriver#listSnapshots}).
 *
 * @param id the platform's id of the snapshot (a Cinder snapshot id, a qcow2 overlay's path...)
 * @param volume the volume it was taken of
 * @param name the name the engine gave it (unique per volume)
 * @param createdAt when the platform took it
 */
public record VolumeSnapshot(String id, VolumeRef volume, String name, Instant createdAt) {
    public VolumeSnapshot {
        requireNonNull(id, "id is null");
        requireNonNull(volume, "volume is null");
        requireNonNull(name, "name is null");
        requireNonNull(createdAt, "createdAt is null");
        if (id.isBlank() || name.isBlank()) {
            throw new IllegalArgumentException("snapshot id and name must not be blank");
        }
    }
}
