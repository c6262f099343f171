package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import java.util.List;
import java.util.Map;

/**
 * A VM Duplex manages.
 *
 * @param name unique name, following {@link ObjectName}
 * @param endpoint the endpoint it runs on
 * @param driverRef the driver's id for it
 * @param image the image's name
 * @param links its links to volumes
 * @param properties the driver settings it was created with
 */
public record VmRecord(String name, String endpoint, String driverRef, String image, List<LinkRecord> links, Map<String, String> properties) {
    public VmRecord {
        ObjectName.check("VM", requireNonNull(name, "name is null"));
        ObjectName.check("endpoint", requireNonNull(endpoint, "endpoint is null"));
        requireNonNull(driverRef, "driverRef is null");
        ObjectName.check("image", requireNonNull(image, "image is null"));
        links = List.copyOf(requireNonNull(links, "links is null"));
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
