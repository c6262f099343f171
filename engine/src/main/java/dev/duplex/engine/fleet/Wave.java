package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Pairs upgraded at the same time; the next wave starts when this one has ended.
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
