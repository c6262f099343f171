package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The waves of a fleet upgrade and how long it should take.
 *
 * @param waves the canary wave first, then waves of at most {@code maxInFlight} pairs
 * @param maxInFlight the most pairs upgraded at once
 * @param pairTime how long one pair's upgrade took before (the median of earlier runs), if known
 */
public record FleetPlan(List<Wave> waves, int maxInFlight, Optional<Duration> pairTime) {
    public FleetPlan {
        waves = List.copyOf(requireNonNull(waves, "waves is null"));
        requireNonNull(pairTime, "pairTime is null");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max-in-flight must be at least 1: " + maxInFlight);
        }
    }

    /** Each pair's wave number, read once for a run: a fleet of 10,000 pairs looks its pairs up 10,000 times. */
    public java.util.Map<String, Integer> waveByPair() {
        java.util.Map<String, Integer> waves = new java.util.HashMap<>();
        for (Wave wave : this.waves) {
            wave.pairs().forEach(pair -> waves.putIfAbsent(pair, wave.number()));
        }
        return waves;
    }

    /**
     * Cuts {@code pairs} into a canary wave of {@code canary} pairs and then waves of at most
     * {@code maxInFlight}, in the order given.
     */
    public static FleetPlan of(List<String> pairs, int canary, int maxInFlight, Optional<Duration> pairTime) {
        if (canary < 1) {
            throw new IllegalArgumentException("the canary wave needs at least 1 pair: " + canary);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max-in-flight must be at least 1: " + maxInFlight);
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("the selection matches no pair");
        }
        if (pairs.stream().distinct().count() != pairs.size()) {
            throw new IllegalArgumentException("a pair is selected twice: " + pairs);
        }
        List<Wave> waves = new ArrayList<>();
        int first = Math.min(Math.min(canary, maxInFlight), pairs.size());
        waves.add(new Wave(1, pairs.subList(0, first)));
        for (int from = first; from < pairs.size(); from += maxInFlight) {
            waves.add(new Wave(waves.size() + 1, pairs.subList(from, Math.min(pairs.size(), from + maxInFlight))));
        }
        return new FleetPlan(waves, maxInFlight, pairTime);
    }

    public int pairCount() {
        return waves.stream().mapToInt(w -> w.pairs().size()).sum();
    }

    /** One pair's time per wave: the waves run one after another, the pairs of a wave side by side. */
    public Optional<Duration> predictedTotal() {
        return pairTime.map(t -> t.multipliedBy(waves.size()));
    }
}
