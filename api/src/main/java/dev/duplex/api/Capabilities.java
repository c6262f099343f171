package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;

/**
 * The set of {@link Capability capabilities} a driver or endpoint has.
 *
 * @param features what is supported; everything else fails with {@link UnsupportedOperationDriverException}
 */
public record Capabilities(Set<Capability> features) {
    public Capabilities {
        requireNonNull(features, "features is null");
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    }

    public static Capabilities of(Capability... features) {
        return new Capabilities(Set.of(features));
    }

    public boolean supports(Capability capability) {
        return features.contains(capability);
    }

    /** The features as names, in declaration order, for display. */
    public String describe() {
        if (features.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        for (Capability c : Capability.values()) {
            if (features.contains(c)) {
                out.append(out.length() == 0 ? "" : ",").append(c.name());
            }
        }
        return out.toString();
    }
}
