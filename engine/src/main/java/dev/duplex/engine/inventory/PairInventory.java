package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pair and the part of the inventory its upgrade's checks read: its members, their endpoints, their current images and
 * the images asked for, the volumes they link, and every VM that links each of those volumes. A record the inventory does
 * not have is left out of its map, so a check that misses it refuses as it would have after reading it alone.
 *
 * @param pair the pair
 * @param vms its members that the inventory has, by name
 * @param endpoints the members' endpoints, by name
 * @param images the members' current images and the images asked for, by name
 * @param volumes the volumes the members link, by name
 * @param linkers for each volume a member links (known to the inventory or not), the VMs that link it, by name
 */
public record PairInventory(PairRecord pair, Map<String, VmRecord> vms, Map<String, Endpoint> endpoints, Map<String, ImageRecord> images,
        Map<String, VolumeRecord> volumes, Map<String, List<String>> linkers) {
    public PairInventory {
        requireNonNull(pair, "pair is null");
        vms = Map.copyOf(requireNonNull(vms, "vms is null"));
        endpoints = Map.copyOf(requireNonNull(endpoints, "endpoints is null"));
        images = Map.copyOf(requireNonNull(images, "images is null"));
        volumes = Map.copyOf(requireNonNull(volumes, "volumes is null"));
        Map<String, List<String>> copied = new HashMap<>();
        requireNonNull(linkers, "linkers is null").forEach((volume, vmNames) -> copied.put(volume, List.copyOf(vmNames)));
        linkers = Map.copyOf(copied);
    }

    /**
     * Reads it with the inventory's single-kind lookups, one after the other: what a store that cannot do it in one look
     * answers, and what one that can must answer alike.
     */
    public static Optional<PairInventory> readEachKind(Inventory inventory, String pair, Collection<String> images) {
        requireNonNull(images, "images is null");
        return inventory.pair(pair).map(record -> {
            Map<String, VmRecord> vms = inventory.vms(List.of(record.system0(), record.system1()));
            Set<String> imageNames = new HashSet<>(images);
            Set<String> volumeNames = new HashSet<>();
            Map<String, Endpoint> endpoints = new HashMap<>();
            for (VmRecord vm : vms.values()) {
                imageNames.add(vm.image());
                vm.links().forEach(link -> volumeNames.add(link.volume()));
                inventory.endpoint(vm.endpoint()).ifPresent(endpoint -> endpoints.put(endpoint.name(), endpoint));
            }
            return new PairInventory(record, vms, endpoints, inventory.images(imageNames),
                    volumeNames.isEmpty() ? Map.of() : inventory.volumes(volumeNames),
                    volumeNames.isEmpty() ? Map.of() : inventory.vmsLinking(volumeNames));
        });
    }
}
