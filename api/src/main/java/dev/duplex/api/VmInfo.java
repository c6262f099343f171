package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the platform says about a VM.
 *
 * @param vm the VM
 * @param image the image it was created from
 * @param state its power state now
 * @param links its links to external volumes
 */
public record VmInfo(VmRef vm, ImageRef image, VmState state, List<VolumeLink> links) {
    public VmInfo {
        requireNonNull(vm, "vm is null");
        requireNonNull(image, "image is null");
        requireNonNull(state, "state is null");
        links = List.copyOf(requireNonNull(links, "links is null"));
    }
}
