package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a fleet upgrade did.
 *
 * @param outcomes every pair that was upgraded, in the order they ended
 * @param notStarted the pairs left alone because the fleet stopped
 * @param stoppedBecause why the fleet stopped before its last wave, if it did
 * @param total from the first wave's start to the last one's end
 */
public record FleetReport(List<PairOutcome> outcomes, List<String> notStarted, Optional<String> stoppedBecause, Duration total) {
    public FleetReport {
        outcomes = List.copyOf(requireNonNull(outcomes, "outcomes is null"));
        notStarted = List.copyOf(requireNonNull(notStarted, "notStarted is null"));
        requireNonNull(stoppedBecause, "stoppedBecause is null");
        requireNonNull(total, "total is null");
    }

    public long failed() {
        return outcomes.stream().filter(o -> !o.succeeded()).count();
    }

    public boolean complete() {
        return stoppedBecause.isEmpty() && failed() == 0;
    }
}
