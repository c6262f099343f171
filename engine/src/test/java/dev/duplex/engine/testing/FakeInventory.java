package dev.duplex.engine.testing;

import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The inventory port in memory, with its rules: unique names, a volume linked by at most one VM. */
public final class FakeInventory implements Inventory {
    private int vmReads;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, ImageRecord> images = new LinkedHashMap<>();
    private final Map<String, VolumeRecord> volumes = new LinkedHashMap<>();
    private final Map<String, VmRecord> vms = new LinkedHashMap<>();
    private final Map<String, PairRecord> pairs = new LinkedHashMap<>();
    private final List<String> changes = new ArrayList<>();

    public synchronized void forgetChanges() {
        changes.clear();
    }

    public synchronized List<String> changes() {
        return List.copyOf(changes);
    }

    private static <T> void add(Map<String, T> map, String name, T value, String kind) {
        if (map.putIfAbsent(name, value) != null) {
            throw new InventoryConflictException(kind + " '" + name + "' exists already");
        }
    }

    @Override
    public synchronized void addEndpoint(Endpoint endpoint) {
        add(endpoints, endpoint.name(), endpoint, "endpoint");
    }

    @Override
    public synchronized Optional<Endpoint> endpoint(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    @Override
    public synchronized List<Endpoint> endpoints() {
        return List.copyOf(endpoints.values());
    }

    @Override
    public synchronized void removeEndpoint(String name) {
        endpoints.remove(name);
    }

    @Override
    public synchronized void addImage(ImageRecord image) {
        add(images, image.name(), image, "image");
    }

    @Override
    public synchronized Optional<ImageRecord> image(String name) {
        return Optional.ofNullable(images.get(name));
    }

    @Override
    public synchronized List<ImageRecord> images() {
        return List.copyOf(images.values());
    }

    @Override
    public synchronized void addVolume(VolumeRecord volume) {
        add(volumes, volume.name(), volume, "volume");
        changes.add("add volume " + volume.name());
    }

    @Override
    public synchronized Optional<VolumeRecord> volume(String name) {
        return Optional.ofNullable(volumes.get(name));
    }

    @Override
    public synchronized List<VolumeRecord> volumes() {
        return List.copyOf(volumes.values());
    }

    private void checkLinks(VmRecord vm) {
        for (LinkRecord link : vm.links()) {
            if (!volumes.containsKey(link.volume())) {
                throw new InventoryConflictException("VM " + vm.name() + " links unknown volume " + link.volume());
            }
            for (VmRecord other : vms.values()) {
                if (!other.name().equals(vm.name()) && other.links().stream().anyMatch(l -> l.volume().equals(link.volume()))) {
                    throw new InventoryConflictException("volume " + link.volume() + " is linked by " + other.name() + " already");
                }
            }
        }
    }

    @Override
    public synchronized void addVm(VmRecord vm) {
        checkLinks(vm);
        add(vms, vm.name(), vm, "VM");
        vm.links().forEach(l -> firstLinked.putIfAbsent(l.volume(), java.time.Instant.now()));
    }

    /** How many times a VM was read by name, for tests of what the engine reads per step. */
    public synchronized int vmReads() {
        return vmReads;
    }

    @Override
    public synchronized Optional<VmRecord> vm(String name) {
        vmReads++;
        return Optional.ofNullable(vms.get(name));
    }

    @Override
    public synchronized List<VmRecord> vms() {
        return List.copyOf(vms.values());
    }

    @Override
    public synchronized void updateVm(VmRecord vm) {
        if (!vms.containsKey(vm.name())) {
            throw new NotInInventoryException("VM", vm.name());
        }
        checkLinks(vm);
        vms.put(vm.name(), vm);
        changes.add("update vm " + vm.name() + " -> " + vm.image());
    }

    /** Puts a VM record in place without the link rule, as a hand-edited database would. */
    public synchronized void forceVm(VmRecord vm) {
        vms.put(vm.name(), vm);
    }

    @Override
    public synchronized void removeVm(String name) {
        vms.remove(name);
    }

    @Override
    public synchronized void addPair(PairRecord pair) {
        add(pairs, pair.name(), pair, "pair");
    }

    /** Dissolves a pair, leaving its VMs in no pair (the inventory port has no such operation yet). */
    public synchronized void dissolvePair(String name) {
        pairs.remove(name);
    }

    @Override
    public synchronized Optional<PairRecord> pair(String name) {
        return Optional.ofNullable(pairs.get(name));
    }

    @Override
    public synchronized List<PairRecord> pairs() {
        return List.copyOf(pairs.values());
    }

    @Override
    public synchronized void setActiveSystem(String pair, int activeSystem) {
        pairs.put(pair, pairs.get(pair).withActiveSystem(activeSystem));
        changes.add("active " + pair + " -> " + activeSystem);
    }
    private final Map<String, java.time.Instant> firstLinked = new LinkedHashMap<>();

    @Override
    public synchronized void removeImage(String name) {
        if (vms.values().stream().anyMatch(vm -> vm.image().equals(name))) {
            throw new InventoryConflictException("image " + name + " is used by a VM");
        }
        if (images.remove(name) == null) {
            throw new NotInInventoryException("image", name);
        }
    }

    @Override
    public synchronized Optional<java.time.Instant> volumeFirstLinked(String name) {
        if (!volumes.containsKey(name)) {
            throw new NotInInventoryException("volume", name);
        }
        return Optional.ofNullable(firstLinked.get(name));
    }

    @Override
    public synchronized void removeVolume(String name) {
        if (vms.values().stream().anyMatch(vm -> vm.links().stream().anyMatch(l -> l.volume().equals(name)))) {
            throw new InventoryConflictException("volume " + name + " is linked by a VM");
        }
        if (volumes.remove(name) == null) {
            throw new NotInInventoryException("volume", name);
        }
        firstLinked.remove(name);
    }

    @Override
    public synchronized void removePair(String name) {
        if (pairs.remove(name) == null) {
            throw new NotInInventoryException("pair", name);
        }
    }
}
