package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobState;
import java.time.Duration;
import java.util.Optional;

/**
 * How one pair's upgrade in a fleet ended.
 *
 * @param pair the pair
 * @param wave the wave it was in
 * @param jobId its upgrade job, absent when it was refused before a job was made
 * @param state SUCCEEDED, FAILED or ROLLED_BACK (FAILED too for a refusal); PENDING when it was interrupted
 * @param error why it did not succeed
 * @param elapsed how long it took
 */
public record PairOutcome(String pair, int wave, Optional<Long> jobId, JobState state, Optional<String> error, Duration elapsed) {
    public PairOutcome {
        requireNonNull(pair, "pair is null");
        requireNonNull(jobId, "jobId is null");
        requireNonNull(state, "state is null");
        requireNonNull(error, "error is null");
        requireNonNull(elapsed, "elapsed is null");
    }

    public boolean succeeded() {
        return state == JobState.SUCCEEDED;
    }
}
