package dev.duplex.engine.service;

import dev.duplex.engine.job.StepRecord;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.JobHistory;
import dev.duplex.engine.job.JobQueue;
import jakarta.inject.Inject;
import java.util.List;

/** The history of jobs of every kind (upgrades, rollbacks, failovers), with their times and journals. */
public final class EngineJobService implements JobService {
    private final JobHistory history;
    private final JobQueue jobs;

    @Inject
    public EngineJobService(JobHistory history, JobQueue jobs) {
        this.history = requireNonNull(history, "history is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
    }

    /** The newest jobs first, at most {@code limit} (1 to 10,000). */
    public List<JobEntry> list(int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("The number of jobs to list is 1 to 10000, not " + limit);
        }
        return history.recent(limit);
    }

    public JobDetail show(long id) {
        JobEntry entry = history.entry(id).orElseThrow(() -> new JobNotFoundException(id));
        return new JobDetail(entry, jobs.journal(id).stream().filter(StepRecord::isStep).toList());
    }
}
