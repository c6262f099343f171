package dev.duplex.engine.inventory;

import java.util.List;
import java.util.Optional;

/**
 * The inventory port. Adds fail with {@link InventoryConflictException} on a taken name or a
 * violated rule (a VM in two pairs, a volume linked by two VMs, removing an endpoint still in use).
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

    void addVolume(VolumeRecord volume);
    Optional<VolumeRecord> volume(String name);
    List<VolumeRecord> volumes();

    void addVm(VmRecord vm);
    Optional<VmRecord> vm(String name);
    List<VmRecord> vms();
    /** Replaces a VM's record (new driver ref and image after an upgrade step), keeping its name. */
    void updateVm(VmRecord vm);
    void removeVm(String name);

    void addPair(PairRecord pair);
    Optional<PairRecord> pair(String name);
    List<PairRecord> pairs();
    /** Records which system is active now. */
    void setActiveSystem(String pair, int activeSystem);
}
