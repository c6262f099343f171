package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which pairs a fleet upgrade takes: those whose name matches a glob ({@code *} any run of
 * characters, {@code ?} one), that have every label of the selector, and, if given, whose members
 * both live on one endpoint. All given conditions must hold.
 *
 * @param namePattern a glob over pair names; absent for every pair
 * @param endpoint the endpoint both members must be on; absent for any
 * @param labels the labels a pair must have; {@link LabelSelector#any()} for any
 */
public record FleetSelection(Optional<String> namePattern, Optional<String> endpoint, LabelSelector labels) {
    public FleetSelection {
        requireNonNull(namePattern, "namePattern is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(labels, "labels is null");
        namePattern.ifPresent(p -> {
            if (p.isBlank()) {
                throw new IllegalArgumentException("the pair name pattern is empty; use '*' for every pair");
            }
        });
    }

    public FleetSelection(Optional<String> namePattern, Optional<String> endpoint) {
        this(namePattern, endpoint, LabelSelector.any());
    }

    public static FleetSelection all() {
        return new FleetSelection(Optional.empty(), Optional.empty());
    }

    /** The selected pairs' names, sorted, so that a plan is the same each time it is made. */
    public List<String> select(Inventory inventory) {
        return select(inventory, java.util.Map.of());
    }

    /** The same, with every labelled pair's labels (pairs missing from {@code labelsByPair} have none). */
    public List<String> select(Inventory inventory, java.util.Map<String, Labels> labelsByPair) {
        Optional<Pattern> glob = namePattern.map(FleetSelection::glob);
        return inventory.pairs().stream()
                .filter(p -> glob.map(g -> g.matcher(p.name()).matches()).orElse(true))
                .filter(p -> labels.matches(labelsByPair.getOrDefault(p.name(), Labels.none())))
                .filter(p -> endpoint.map(e -> onEndpoint(inventory, p, e)).orElse(true))
                .map(PairRecord::name)
                .sorted(Comparator.naturalOrder())
                .toList();
    }

    private static boolean onEndpoint(Inventory inventory, PairRecord pair, String endpoint) {
        return List.of(pair.system0(), pair.system1()).stream()
                .allMatch(member -> inventory.vm(member).map(VmRecord::endpoint).filter(endpoint::equals).isPresent());
    }

    /** How the selection reads in a plan: {@code pairs=kv*, selector=tier=db, endpoint=lab}, or {@code every pair}. */
    public String describe() {
        List<String> parts = new java.util.ArrayList<>();
        namePattern.ifPresent(p -> parts.add("pairs " + p));
        if (!labels.isAny()) {
            parts.add("labels " + labels);
        }
        endpoint.ifPresent(e -> parts.add("endpoint " + e));
        return parts.isEmpty() ? "every pair" : String.join(", ", parts);
    }

    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
