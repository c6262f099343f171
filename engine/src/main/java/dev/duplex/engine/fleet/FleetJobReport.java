package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobState;
import java.util.Optional;

/**
 * How a fleet job's run (or resumed run) ended.
 *
 * @param jobId the fleet job
 * @param state SUCCEEDED when every pair did, FAILED otherwise
 * @param error why not every pair was upgraded
 * @param run the pairs' outcomes, in the order they ended (pairs a resume found done are included)
 */
public record FleetJobReport(long jobId, JobState state, Optional<String> error, FleetReport run) {
    public FleetJobReport {
        requireNonNull(state, "state is null");
        requireNonNull(error, "error is null");
        requireNonNull(run, "run is null");
    }
}
