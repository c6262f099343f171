package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A software image to register ahead of an upgrade, without the database: the database stays on
 * its own volume and the new image is prepared beforehand.
 *
 * @param name a unique human name, for example {@code kv-store-2.0}
 * @param softwareVersion the version of the software the image runs
 * @param source where the image's content is, in the driver's terms: a folder for the local
 *     driver, a storage volume or kernel path for KVM, a template for vSphere, a file for Glance
 * @param properties driver-specific settings; unknown keys are rejected by the driver
 */
public record ImageSpec(String name, String softwareVersion, String source, Map<String, String> properties) {
    public ImageSpec {
        requireNonNull(name, "name is null");
        requireNonNull(softwareVersion, "softwareVersion is null");
        requireNonNull(source, "source is null");
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }
}
