package dev.duplex.engine.job;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A job as its history shows it.
 *
 * @param job the job
 * @param createdAt when it was asked for
 * @param startedAt when a node first claimed it
 * @param finishedAt when it ended, if it did
 */
public record JobEntry(Job job, Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt) {
    public JobEntry {
        requireNonNull(job, "job is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
    }
}
