package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A VM Duplex manages.
 *
 * @param name unique name
 * @param endpoint the endpoint it runs on
 * @param driverRef the driver's id for it
 * @param image the image's name
 * @param links its links to volumes
 * @param properties the driver settings it was created with
 */
public record VmRecord(String name, String endpoint, String driverRef, String image, List<LinkRecord> links, Map<String, String> properties) {
    public VmRecord {
        requireNonNull(name, "name is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(driverRef, "driverRef is null");
        requireNonNull(image, "image is null");
        links = List.copyOf(requireNonNull(links, "links is null"));
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
