package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One pair of a fleet plan.
 *
 * @param pair the pair
 * @param wave its wave
 * @param members where its members run
 * @param predicted how long its upgrade should take: its own last successful upgrade, else the median of recent ones; unknown before any
 */
public record PairForecast(String pair, int wave, List<MemberPlace> members, Optional<Duration> predicted) {
    public PairForecast {
        requireNonNull(pair, "pair is null");
        members = List.copyOf(requireNonNull(members, "members is null"));
        requireNonNull(predicted, "predicted is null");
    }
}
