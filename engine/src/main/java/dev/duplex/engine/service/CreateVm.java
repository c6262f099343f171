package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.LinkRecord;
import java.util.List;
import java.util.Map;

/**
 * A request to create a VM, stopped, from a registered image with links to volumes.
 *
 * @param name its name
 * @param endpoint where to create it
 * @param image the image's name, registered on that endpoint
 * @param links its links to volumes on that endpoint, each volume not linked by another VM
 * @param properties driver settings
 */
public record CreateVm(String name, String endpoint, String image, List<LinkRecord> links, Map<String, String> properties) {
    public CreateVm {
        requireNonNull(name, "name is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(image, "image is null");
        links = List.copyOf(requireNonNull(links, "links is null"));
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
