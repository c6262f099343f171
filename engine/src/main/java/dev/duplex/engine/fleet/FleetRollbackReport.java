package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What rolling a fleet back did.
 *
 * @param fleetJobId the fleet job rolled back
 * @param outcomes one per pair rolled back (its rollback job; state ROLLED_BACK when the pair is on its old images again), last wave first
 * @param alreadyBack pairs left alone because they were on their old images already (never upgraded, or rolled back before)
 * @param stoppedBecause why the rollback stopped before the first wave, if it did
 */
public record FleetRollbackReport(long fleetJobId, List<PairOutcome> outcomes, List<String> alreadyBack, Optional<String> stoppedBecause) {
    public FleetRollbackReport {
        outcomes = List.copyOf(requireNonNull(outcomes, "outcomes is null"));
        alreadyBack = List.copyOf(requireNonNull(alreadyBack, "alreadyBack is null"));
        requireNonNull(stoppedBecause, "stoppedBecause is null");
    }

    public boolean complete() {
        return stoppedBecause.isEmpty();
    }
}
