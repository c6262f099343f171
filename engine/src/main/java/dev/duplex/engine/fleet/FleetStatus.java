package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobState;
import java.util.List;
import java.util.Optional;

/**
 * A fleet job now: its plan and where each pair is.
 *
 * @param fleet the fleet job's request and plan
 * @param state the fleet job's state
 * @param error why it did not succeed
 * @param pairs every pair of the plan, wave by wave
 */
public record FleetStatus(FleetJob fleet, JobState state, Optional<String> error, List<PairLine> pairs) {
    public FleetStatus {
        requireNonNull(fleet, "fleet is null");
        requireNonNull(state, "state is null");
        requireNonNull(error, "error is null");
        pairs = List.copyOf(requireNonNull(pairs, "pairs is null"));
    }
}
