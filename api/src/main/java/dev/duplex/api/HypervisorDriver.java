package dev.duplex.api;

import java.util.List;

/**
 * A connection to one endpoint of a hypervisor platform: the small set of operations the
 * Duplex engine builds upgrades and failovers from.
 *
 * <p>Drivers keep no state the platform does not also keep: a new connection (after the
 * orchestrator was restarted) must find every image, volume and VM an earlier one created,
 * by their refs. Operations on an unknown ref throw {@link ObjectNotFoundException} naming
 * it. Optional operations have default implementations that throw
 * {@link UnsupportedOperationDriverException}; a driver that supports one overrides it and
 * declares the matching {@link Capability}.
 *
 * <p>Implementations must be safe for use from several threads.
 */
public interface HypervisorDriver extends AutoCloseable {
    /** The driver's kind, as {@link DriverProvider#kind()}. */
    String kind();

    /** What this endpoint supports. */
    Capabilities capabilities();

    /** Registers a new software image ahead of use; it holds no database. */
    ImageRef registerImage(ImageSpec spec);

    /** The images registered on this endpoint. */
    List<ImageInfo> listImages();

    /** Removes an image no VM uses; refuses with {@link ConflictException} if one does. */
    void deleteImage(ImageRef image);

    /** Creates an external volume (a database volume), empty. */
    VolumeRef createVolume(VolumeSpec spec);

    /** The volumes on this endpoint. */
    List<VolumeInfo> listVolumes();

    /**
     * Deletes a volume. The engine never calls this: data volumes are the operator's to delete.
     * Refuses with {@link ConflictException} while a VM links to the volume.
     */
    void deleteVolume(VolumeRef volume);

    /**
     * Defines a VM from an image with links to external volumes, stopped. The new image gets a
     * link to the volume: the VM uses the linked volume, it gets no copy of it.
     *
     * @throws UnsupportedOperationDriverException for a link mode the driver lacks
     */
    VmRef createVm(VmSpec spec);

    /** The VMs on this endpoint. */
    List<VmInfo> listVms();

    /**
     * The VM of that name on this endpoint, if there is one. The engine asks it once per member and
     * step (a VM an interrupted step left behind), so on an endpoint of thousands of VMs a driver
     * that can look a name up directly should: the default lists every VM.
     */
    default java.util.Optional<VmInfo> findVm(String name) {
        java.util.Objects.requireNonNull(name, "name is null");
        return listVms().stream().filter(vm -> vm.vm().name().equals(name)).findFirst();
    }

    /**
     * The VMs on this endpoint that link {@code volume} (by its id), in any mode. The engine asks it
     * before it links a member's database volume to a new VM, to refuse a volume a VM it does not
     * know also uses. The default lists every VM; a driver that can ask the volume who uses it should.
     */
    default List<VmInfo> vmsLinking(VolumeRef volume) {
        java.util.Objects.requireNonNull(volume, "volume is null");
        return listVms().stream()
                .filter(vm -> vm.links().stream().anyMatch(link -> link.volume().id().equals(volume.id())))
                .toList();
    }

    /** What the platform says about one VM now. */
    VmInfo describeVm(VmRef vm);

    /**
     * Starts a stopped VM. Copies {@link VolumeLink.Mode#COPY_AT_BOOT} links' content in first.
     * Returns when the platform reports the VM running and it has stayed so for the driver's
     * settle time (a driver setting, short: a few hundred milliseconds), so a VM that dies at
     * once (a port in use, a missing file) is reported here and not found CRASHED later; the
     * guest's own health is the engine's business.
     *
     * @throws VmStartFailedException when the VM ended within the settle time, with how it ended
     *     and the last lines of its console
     */
    BootReport start(VmRef vm);

    /**
     * Stops a VM; stopping a stopped VM does nothing. Returns only when the VM is really gone:
     * every process (or the hypervisor's guest) is ended and reaped, so its files, locks and
     * ports are free and a new VM on the same volume can start at once (a database refuses to
     * start over a lock file whose pid still shows). A graceful stop asks the VM's main process
     * alone first (a database must not have its helpers signalled behind its back), then forces
     * the rest after the driver's grace period. {@link VolumeLink.Mode#COPY_AT_BOOT} copies are
     * saved back to their volumes before it returns, see that mode.
     *
     * @throws PlatformException naming what is still there when the VM cannot be made to go
     */
    void stop(VmRef vm, StopMode mode);

    /** The VM's power state now. */
    default VmState state(VmRef vm) {
        return describeVm(vm).state();
    }

    /** Deletes a stopped VM. Never deletes its linked volumes. Refuses a running VM with {@link ConflictException}. */
    void deleteVm(VmRef vm);

    /**
     * Copies one volume's content into another (the old way of moving a database to a new VM,
     * kept to measure the zero-copy upgrade against). Needs {@link Capability#VOLUME_COPY}.
     *
     * @return the number of bytes copied
     */
    default long copyVolume(VolumeRef from, VolumeRef to, CopyProgress progress) {
        throw new UnsupportedOperationDriverException(kind(), "volume copy");
    }

    /**
     * Makes a new volume holding a copy of {@code from}'s content. Needs {@link Capability#VOLUME_COPY}.
     * The default creates the volume from {@code spec} and fills it with {@link #copyVolume}, deleting
     * it again if the copy fails; a platform that clones on the storage side (a Cinder clone) overrides
     * it, and its new volume may get an id of its own: the engine records the returned ref.
     *
     * @param from the volume to copy; no VM may be writing to it
     * @param spec the new volume's name and size (at least {@code from}'s size)
     */
    default VolumeCopy cloneVolume(VolumeRef from, VolumeSpec spec, CopyProgress progress) {
        if (!capabilities().supports(Capability.VOLUME_COPY)) {
            throw new UnsupportedOperationDriverException(kind(), "volume copy");
        }
        VolumeRef created = createVolume(spec);
        try {
            return new VolumeCopy(created, copyVolume(from, created, progress));
        } catch (RuntimeException e) {
            try {
                deleteVolume(created);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Takes a copy-on-write snapshot of a volume, whose cost does not grow with the volume's size (a
     * qcow2 external snapshot, a reflink, a Cinder or vSphere snapshot). Taken while no VM writes
     * to the volume, it holds the volume's content at that moment. A name that already has a
     * snapshot of this volume returns that one (the engine retries after a crash). Needs
     * {@link Capability#VOLUME_SNAPSHOT}.
     */
    default VolumeSnapshot snapshotVolume(VolumeRef volume, String name) {
        throw new UnsupportedOperationDriverException(kind(), "volume snapshot");
    }

    /** The snapshots of {@code volume} this driver took, oldest first. Needs {@link Capability#VOLUME_SNAPSHOT}. */
    default List<VolumeSnapshot> listSnapshots(VolumeRef volume) {
        throw new UnsupportedOperationDriverException(kind(), "volume snapshot");
    }

    /**
     * Puts the snapshot's content back on its volume (the volume keeps its ref and its links), the
     * snapshot itself kept. Refuses with {@link ConflictException} while a running VM uses the
     * volume. Needs {@link Capability#VOLUME_SNAPSHOT}.
     */
    default void restoreSnapshot(VolumeSnapshot snapshot) {
        throw new UnsupportedOperationDriverException(kind(), "volume snapshot");
    }

    /**
     * Drops a snapshot; the volume's current content stays as it is. Deleting a snapshot that is
     * gone does nothing. Needs {@link Capability#VOLUME_SNAPSHOT}.
     */
    default void deleteSnapshot(VolumeSnapshot snapshot) {
        throw new UnsupportedOperationDriverException(kind(), "volume snapshot");
    }

    /** Attaches a volume to a running VM. Needs {@link Capability#HOT_ATTACH}. */
    default void attachVolume(VmRef vm, VolumeLink link) {
        throw new UnsupportedOperationDriverException(kind(), "hot attach");
    }

    /** Detaches a volume from a running VM. Needs {@link Capability#HOT_ATTACH}. */
    default void detachVolume(VmRef vm, VolumeRef volume) {
        throw new UnsupportedOperationDriverException(kind(), "hot detach");
    }

    /** The VM's operating-environment store. Needs {@link Capability#ENVIRONMENT_STORE}. */
    default EnvironmentStore environment(VmRef vm) {
        throw new UnsupportedOperationDriverException(kind(), "environment store");
    }

    /**
     * The last {@code lines} lines the VM wrote to its console (a serial log, the local driver's
     * {@code console.log}), oldest first, with control characters as the VM wrote them. The engine
     * keeps them with a job before it deletes a VM that failed, as the evidence of why. The
     * default: the platform keeps no console, an empty list.
     */
    default List<String> consoleTail(VmRef vm, int lines) {
        return List.of();
    }

    /** Releases the connection. Running VMs keep running. */
    @Override
    void close();
}
