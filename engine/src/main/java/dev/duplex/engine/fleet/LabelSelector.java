package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Selects pairs by labels: {@code tier=db,site=fra} takes the pairs that have every one of them.
 *
 * @param required the labels a pair must have, each with that value
 */
public record LabelSelector(Map<String, String> required) {
    public LabelSelector {
        required = Map.copyOf(requireNonNull(required, "required is null"));
        required.forEach((k, v) -> Labels.checkValue(Labels.checkKey(k), v));
    }

    public static LabelSelector any() {
        return new LabelSelector(Map.of());
    }

    /** Parses {@code key=value[,key=value...]}; refuses an empty part, a key given twice or a bad key or value. */
    public static LabelSelector parse(String text) {
        requireNonNull(text, "selector is null");
        if (text.isBlank()) {
            throw new IllegalArgumentException("The label selector is empty; write KEY=VALUE[,KEY=VALUE...], e.g. tier=db,site=fra");
        }
        Map<String, String> required = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("Label selector part '" + Labels.printable(part)
                        + "' is not KEY=VALUE; write e.g. --selector tier=db,site=fra");
            }
            String key = Labels.checkKey(part.substring(0, eq));
            String value = Labels.checkValue(key, part.substring(eq + 1));
            if (required.put(key, value) != null) {
                throw new IllegalArgumentException("Label selector '" + Labels.printable(text) + "' names '" + key + "' twice; a pair has one value per key");
            }
        }
        return new LabelSelector(required);
    }

    public boolean matches(Labels labels) {
        return labels.matches(required);
    }

    public boolean isAny() {
        return required.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        new java.util.TreeMap<>(required).forEach((k, v) -> text.append(text.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return text.toString();
    }
}
