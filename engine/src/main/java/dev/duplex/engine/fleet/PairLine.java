package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobState;
import java.util.Optional;

/**
 * One pair of a fleet job as its status shows it.
 *
 * @param pair the pair
 * @param wave its wave
 * @param jobId its upgrade job, once there is one
 * @param state that job's state now
 */
public record PairLine(String pair, int wave, Optional<Long> jobId, Optional<JobState> state) {
    public PairLine {
        requireNonNull(pair, "pair is null");
        requireNonNull(jobId, "jobId is null");
        requireNonNull(state, "state is null");
    }
}
