package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A request to create an empty volume.
 *
 * @param name its name
 * @param endpoint where to create it
 * @param sizeBytes its capacity, positive
 * @param purpose what it will hold ({@code database}, ...)
 * @param properties driver settings
 */
public record CreateVolume(String name, String endpoint, long sizeBytes, String purpose, Map<String, String> properties) {
    public CreateVolume {
        requireNonNull(name, "name is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(purpose, "purpose is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
