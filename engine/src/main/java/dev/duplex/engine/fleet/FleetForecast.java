package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A fleet upgrade's plan as {@code --dry-run} prints it; nothing was touched to make it.
 *
 * @param request what was asked
 * @param plan the waves
 * @param pairs every pair, wave by wave, with its members' places and predicted time
 * @param predictedTotal the sum over waves of each wave's slowest pair (at most: a later wave's pairs
 *     start while the wave before ends); unknown while a pair's time is
 * @param notes what an operator should know before running it (pairs held by a live job)
 */
public record FleetForecast(FleetRequest request, FleetPlan plan, List<PairForecast> pairs, Optional<Duration> predictedTotal, List<String> notes) {
    public FleetForecast {
        requireNonNull(request, "request is null");
        requireNonNull(plan, "plan is null");
        pairs = List.copyOf(requireNonNull(pairs, "pairs is null"));
        requireNonNull(predictedTotal, "predictedTotal is null");
        notes = List.copyOf(requireNonNull(notes, "notes is null"));
    }

    /** The slowest predicted pair of a wave; unknown when one of its pairs is. */
    public Optional<Duration> predictedWave(int wave) {
        List<PairForecast> inWave = pairs.stream().filter(p -> p.wave() == wave).toList();
        if (inWave.isEmpty() || inWave.stream().anyMatch(p -> p.predicted().isEmpty())) {
            return Optional.empty();
        }
        return inWave.stream().map(p -> p.predicted().get()).max(Duration::compareTo);
    }
}
