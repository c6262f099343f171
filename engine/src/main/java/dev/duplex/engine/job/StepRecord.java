package dev.duplex.engine.job;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One journal line of a job.
 *
 * @param jobId the job
 * @param stepId the step's id ({@code S21}, {@code S22}, ... or {@code R1}... for rollback)
 * @param state started, done or failed
 * @param startedAt when it started
 * @param endedAt when it ended, if it did
 * @param error why it failed
 * @param outputs what it created or learned (driver refs of new VMs, bytes copied), so resume and rollback can find them
 *
 * <p>A line whose id has a slash ({@code S22.kv-1/environment}) is not a step: it is state a step
 * saved half way (the environment info of a VM it is about to replace), so that a resumed step
 * finds it. Views of a job's steps leave such lines out ({@link #isStep()}).
 */
public record StepRecord(long jobId, String stepId, StepState state, Instant startedAt, Optional<Instant> endedAt,
        Optional<String> error, Map<String, String> outputs) {
    public StepRecord {
        requireNonNull(stepId, "stepId is null");
        requireNonNull(state, "state is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(endedAt, "endedAt is null");
        requireNonNull(error, "error is null");
        outputs = Map.copyOf(requireNonNull(outputs, "outputs is null"));
    }

    /** False for a step's saved state, which is journaled beside the steps but is not one. */
    public boolean isStep() {
        return stepId.indexOf('/') < 0;
    }
}
