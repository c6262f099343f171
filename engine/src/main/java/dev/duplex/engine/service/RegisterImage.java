package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A request to register a software image.
 *
 * @param name its name
 * @param endpoint where to register it
 * @param version the software version it runs
 * @param source where the image is, in the driver's terms (a folder for the local driver)
 * @param properties driver settings
 */
public record RegisterImage(String name, String endpoint, String version, String source, Map<String, String> properties) {
    public RegisterImage {
        requireNonNull(name, "name is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(version, "version is null");
        requireNonNull(source, "source is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
