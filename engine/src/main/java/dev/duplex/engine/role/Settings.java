package dev.duplex.engine.role;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Reads a role controller's settings map, with messages that name the setting. */
final class Settings {
    private final String type;
    private final Map<String, String> values;

    Settings(String type, Map<String, String> values) {
        this.type = type;
        this.values = Map.copyOf(values);
    }

    String required(String key) {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("The " + type + " role controller needs the setting '" + key
                    + "'; the pair has " + values.keySet());
        }
        return value;
    }

    Optional<String> optional(String key) {
        String value = values.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    String orDefault(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    Duration millis(String key, long fallback) {
        String value = values.get(key);
        if (value == null) {
            return Duration.ofMillis(fallback);
        }
        try {
            long ms = Long.parseLong(value.strip());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("The " + type + " role controller's setting '" + key
                    + "' must be a positive number of milliseconds: '" + value + "'");
        }
    }

    Map<String, String> all() {
        return values;
    }
}
