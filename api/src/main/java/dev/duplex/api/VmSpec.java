package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A VM to create from a registered image, with its links to external volumes.
 *
 * @param name a unique human name
 * @param image the image the VM boots
 * @param links the external volumes the VM sees, each at its own mount path
 * @param properties driver-specific settings (memory, CPUs, network, environment variables
 *     for the local driver's process, ...); unknown keys are rejected by the driver
 */
public record VmSpec(String name, ImageRef image, List<VolumeLink> links, Map<String, String> properties) {
    public VmSpec {
        requireNonNull(name, "name is null");
        requireNonNull(image, "image is null");
        links = List.copyOf(requireNonNull(links, "links is null"));
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
        long distinctPaths = links.stream().map(VolumeLink::mountPath).distinct().count();
        if (distinctPaths != links.size()) {
            throw new IllegalArgumentException("VM " + name + " has two links at the same mount path: " + links);
        }
    }
}
