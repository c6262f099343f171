package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A volume to create, typically the external database volume a VM links to.
 *
 * @param name a unique human name
 * @param sizeBytes capacity in bytes, positive
 * @param purpose what the volume holds ({@code database}, {@code scratch}, ...), for the inventory
 * @param properties driver-specific settings (storage pool, format, ...); unknown keys are rejected
 */
public record VolumeSpec(String name, long sizeBytes, String purpose, Map<String, String> properties) {
    public VolumeSpec {
        requireNonNull(name, "name is null");
        requireNonNull(purpose, "purpose is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("volume size must be positive: " + sizeBytes);
        }
    }
}
