package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.StepRecord;
import java.util.List;

/**
 * A job with its times and its journal.
 *
 * @param entry the job and when it was asked for, started and ended
 * @param journal its steps in the order they ran (the latest record per step)
 */
public record JobDetail(JobEntry entry, List<StepRecord> journal) {
    public JobDetail {
        requireNonNull(entry, "entry is null");
        journal = List.copyOf(requireNonNull(journal, "journal is null"));
    }
}
