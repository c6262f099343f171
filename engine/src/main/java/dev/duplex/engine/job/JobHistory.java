package dev.duplex.engine.job;

import java.util.List;
import java.util.Optional;

/** The record of every job, live or ended, of every kind (upgrades, rollbacks, failovers), with its times. Read-only. */
public interface JobHistory {
    /** The newest jobs first, at most {@code limit}. */
    List<JobEntry> recent(int limit);

    /** One job with its times. */
    Optional<JobEntry> entry(long id);
}
