package dev.duplex.engine.service;

import dev.duplex.engine.job.JobEntry;
import java.util.List;

/**
 * The history of jobs of every kind (upgrades, rollbacks, failovers), with their times and
 * journals. One interface for both transports ({@link EngineJobService} in this process, or over HTTP).
 */
public interface JobService {
    /** How many jobs a listing shows when not told. */
    int DEFAULT_LIMIT = 50;

    /** The newest jobs first, at most {@code limit} (1 to 10,000). */
    List<JobEntry> list(int limit);

    JobDetail show(long id);
}
