package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Pairs upgraded together: the canary wave alone, then each later wave's pairs in turn as slots of
 * max-in-flight free up (a wave's first pairs may start while the wave before ends). A wave is the
 * unit the plan predicts, the status shows and a fleet rollback undoes.
 *
 * @param number 1 for the first wave (the canary)
 * @param pairs the pairs, at most the fleet's max-in-flight
 */
public record Wave(int number, List<String> pairs) {
    public Wave {
        if (number < 1) {
            throw new IllegalArgumentException("waves are numbered from 1: " + number);
        }
        pairs = List.copyOf(requireNonNull(pairs, "pairs is null"));
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("wave " + number + " has no pair");
        }
    }
}
