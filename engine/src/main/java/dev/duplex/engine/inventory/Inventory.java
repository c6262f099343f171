package dev.duplex.engine.inventory;

import java.util.List;
import java.util.Optional;

/**
 * The inventory port. Adds fail with {@link InventoryConflictException} on a taken name or a
 * violated rule (a VM in two pairs, a volume linked by two VMs, removing an object still in use, naming its users).
 */
public interface Inventory {
    void addEndpoint(Endpoint endpoint);
    Optional<Endpoint> endpoint(String name);
    List<Endpoint> endpoints();
    /** Refused while images, volumes or VMs reference the endpoint. */
    void removeEndpoint(String name);

    void addImage(ImageRecord image);
    Optional<ImageRecord> image(String name);
    List<ImageRecord> images();

    /** The named images the inventory has, by name (a name it does not know is left out): a pair's old and new images in one look. */
    default java.util.Map<String, ImageRecord> images(java.util.Collection<String> names) {
        java.util.Map<String, ImageRecord> found = new java.util.HashMap<>();
        for (String name : names) {
            image(name).ifPresent(image -> found.put(name, image));
        }
        return found;
    }
    /** Refused while VMs use the image, naming them. */
    void removeImage(String name);

    void addVolume(VolumeRecord volume);
    Optional<VolumeRecord> volume(String name);
    List<VolumeRecord> volumes();

    /** The named volumes the inventory has, by name (a name it does not know is left out): every volume a pair links in one look. */
    default java.util.Map<String, VolumeRecord> volumes(java.util.Collection<String> names) {
        java.util.Map<String, VolumeRecord> found = new java.util.HashMap<>();
        for (String name : names) {
            volume(name).ifPresent(volume -> found.put(name, volume));
        }
        return found;
    }
    /**
     * When a VM was first linked to the volume: from then on it may hold data. Empty for a volume
     * no VM ever linked, which is as empty as it was created.
     */
    Optional<java.time.Instant> volumeFirstLinked(String name);
    /** Refused while a VM links the volume, naming it. */
    void removeVolume(String name);

    void addVm(VmRecord vm);
    Optional<VmRecord> vm(String name);
    List<VmRecord> vms();

    /** The named VMs the inventory has, by name (a name it does not know is left out): both members of a pair in one look. */
    default java.util.Map<String, VmRecord> vms(java.util.Collection<String> names) {
        java.util.Map<String, VmRecord> found = new java.util.HashMap<>();
        for (String name : names) {
            vm(name).ifPresent(vm -> found.put(name, vm));
        }
        return found;
    }

    /**
     * The VMs that link volume {@code volume}, by name. A store with an index on links answers it
     * without reading every VM: each pair's upgrade asks it for both members' volumes, so a scan
     * here makes a fleet's checks grow with the square of its size.
     */
    default List<String> vmsLinking(String volume) {
        return vms().stream().filter(vm -> vm.links().stream().anyMatch(l -> l.volume().equals(volume))).map(VmRecord::name).toList();
    }

    /** {@link #vmsLinking(String)} for each of {@code volumes} (an empty list for one no VM links): a pair's volumes in one look. */
    default java.util.Map<String, List<String>> vmsLinking(java.util.Collection<String> volumes) {
        java.util.Map<String, List<String>> found = new java.util.HashMap<>();
        for (String volume : volumes) {
            found.put(volume, vmsLinking(volume));
        }
        return found;
    }

    /** Replaces a VM's record (new driver ref and image after an upgrade step), keeping its name. */
    void updateVm(VmRecord vm);
    void removeVm(String name);

    void addPair(PairRecord pair);
    Optional<PairRecord> pair(String name);

    /**
     * Pair {@code name} and what its upgrade's checks read, with {@code images} (the new ones) among its images; empty for
     * an unknown pair. A store that can answers it in one round trip: a fleet starts a pair's upgrade with it, hundreds a
     * second, and six lookups one after the other were six round trips each.
     */
    default Optional<PairInventory> pairInventory(String name, java.util.Collection<String> images) {
        return PairInventory.readEachKind(this, name, images);
    }
    List<PairRecord> pairs();
    /** Forgets a pair (its VMs stay); refused while a live job works on it. Its finished jobs stay as history. */
    void removePair(String name);
    /** Records which system is active now. */
    void setActiveSystem(String pair, int activeSystem);
}
