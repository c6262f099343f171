package dev.duplex.driver.vmware;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.OptionValue;
import com.vmware.vim25.ParaVirtualSCSIController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import com.vmware.vim25.VirtualMachineFileInfo;
import com.vmware.vim25.VirtualMachineSnapshotInfo;
import com.vmware.vim25.VirtualMachineSnapshotTree;
import com.vmware.vim25.VirtualSCSISharing;
import com.vmware.vim25.mo.Folder;
import com.vmware.vim25.mo.InventoryNavigator;
import com.vmware.vim25.mo.ResourcePool;
import com.vmware.vim25.mo.ServiceInstance;
import com.vmware.vim25.mo.VirtualMachine;
import com.vmware.vim25.mo.VirtualMachineSnapshot;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverException;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectName;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Safety snapshots of a volume as vSphere VM snapshots (no memory, no quiescing) taken on the
 * volume's <em>keeper</em>: a VM {@code duplex-snapshots-<volume>} that is never powered on and
 * whose only disk is the volume's vmdk. A volume is a standalone disk that moves from VM to VM in
 * an upgrade, so a snapshot taken on the member VM would go with that VM when it is replaced; the
 * keeper stays, and as the disk is its only one, its snapshot holds exactly the database disk.
 *
 * <p>vSphere snapshots by redirect-on-write: the disk file becomes the read-only parent and
 * writes go to a new delta disk ({@code <volume>-000001.vmdk}, beside the parent since ESXi 5),
 * so taking one costs the same at any disk size. The volume's current content is then the top of
 * the keeper's chain; VMs linking the volume are given that top file when created or attached,
 * and a snapshot, restore (revert) or delete that moves the top re-points every VM that still
 * names the old one ({@link Users#follow}). The keeper is destroyed, its disk detached first so
 * the volume's files stay, when its last snapshot is deleted.
 *
 * <p>vcsim 0.24 keeps the snapshot tree and a {@code .vmsn} file but creates no delta disk and
 * reverts no data, so against it the top never moves: the tree, names, ids, refusals and keeper
 * are checked there, the data a revert puts back only on a real vSphere.
 */
final class VolumeSnapshots {
    /** Marks the snapshots Duplex took on a keeper; others (someone's own) are not listed. */
    static final String DESCRIPTION = "Duplex safety snapshot of volume ";
    /** The keeper's extraConfig key naming the volume (its vmdk path) it keeps. */
    static final String KEEPER_OF = "duplex.snapshots.of";
    static final String KEEPER_PREFIX = "duplex-snapshots-";
    private static final int VM_NAME_MAX = 80;

    /** What the keeper needs to know of the VMs that link volumes, from the driver. */
    interface Users {
        /** A running VM (not a keeper) that uses the volume's disk, by name. */
        Optional<String> running(VolumeRef volume, String currentFile);

        /** A VM (not a keeper) that links the volume copy-at-boot, by name. */
        Optional<String> copyingAtBoot(VolumeRef volume);

        /** Points every VM (not a keeper) whose disk file is {@code from} at {@code to}. */
        void follow(VolumeRef volume, String from, String to);
    }

    private final ServiceInstance service;
    private final String datastoreName;
    private final ResourcePool pool;
    private final Folder vmFolder;
    private final Tasks tasks;
    private final String endpoint;

    VolumeSnapshots(ServiceInstance service, String datastoreName, ResourcePool pool, Folder vmFolder, Tasks tasks, String endpoint) {
        this.service = service;
        this.datastoreName = datastoreName;
        this.pool = pool;
        this.vmFolder = vmFolder;
        this.tasks = tasks;
        this.endpoint = endpoint;
    }

    /** A snapshot as vSphere lists it: ours (named by the rule, our description), with its tree order. */
    private record Found(VolumeSnapshot snapshot, int order, ManagedObjectReference ref) {}

    synchronized VolumeSnapshot take(VolumeRef volume, String name, long sizeBytes, Users users) {
        ObjectId object = snapshotObject(volume, name);
        Optional<VirtualMachine> existing = keeper(volume);
        if (existing.isPresent()) {
            Optional<Found> again = ours(existing.get(), volume).stream().filter(f -> f.snapshot().name().equals(name)).findFirst();
            if (again.isPresent()) {
                return again.get().snapshot();
            }
        }
        // A copy-at-boot VM writes its copy back by replacing the volume's file, which would cut the
        // snapshot's delta chain; such a volume has no snapshot here (the engine says so in the plan).
        Optional<String> copying = users.copyingAtBoot(volume);
        if (copying.isPresent()) {
            throw new UnsupportedOperationDriverException(VmwareDriver.KIND, "snapshots of a volume linked copy-at-boot (volume "
                    + volume.name() + ", VM " + copying.get() + "): its write-back would replace the snapshot's delta disk");
        }
        String top = existing.map(k -> diskFile(k, volume)).orElse(volume.id());
        Optional<String> running = users.running(volume, top);
        if (running.isPresent()) {
            throw new ConflictException("Cannot snapshot volume " + volume + " on endpoint '" + endpoint + "': running VM "
                    + running.get() + " writes to it; stop it first", ObjectId.of(volume));
        }
        VirtualMachine keeper = existing.orElseGet(() -> createKeeper(volume, sizeBytes));
        try {
            tasks.await(keeper.createSnapshot_Task(name, DESCRIPTION + volume.name(), false, false), "take", object);
        } catch (DriverException e) {
            dropIfEmpty(keeper, volume, e);
            throw e;
        } catch (Exception e) {
            DriverException failure = VsphereFaults.translate(e, "take", object);
            dropIfEmpty(keeper, volume, failure);
            throw failure;
        }
        String after = diskFile(keeper, volume);
        users.follow(volume, top, after);
        return ours(keeper, volume).stream().filter(f -> f.snapshot().name().equals(name)).findFirst()
                .map(Found::snapshot)
                .orElseThrow(() -> new PlatformException("Took snapshot " + name + " of volume " + volume + " on endpoint '" + endpoint
                        + "' but vSphere does not list it on VM " + keeperName(volume) + "; look at that VM's snapshots", object));
    }

    synchronized List<VolumeSnapshot> list(VolumeRef volume) {
        return keeper(volume).map(k -> ours(k, volume).stream().map(Found::snapshot).toList()).orElse(List.of());
    }

    synchronized void restore(VolumeSnapshot snapshot, Users users) {
        VolumeRef volume = snapshot.volume();
        ObjectId object = snapshotObject(volume, snapshot.name());
        VirtualMachine keeper = keeper(volume).orElseThrow(() -> new ObjectNotFoundException(object));
        Found found = find(keeper, snapshot).orElseThrow(() -> new ObjectNotFoundException(object));
        String top = diskFile(keeper, volume);
        Optional<String> running = users.running(volume, top);
        if (running.isPresent()) {
            throw new ConflictException("Cannot restore snapshot " + snapshot.name() + " of volume " + volume + " on endpoint '"
                    + endpoint + "': running VM " + running.get() + " uses it; stop it first", object);
        }
        try {
            // suppressPowerOn: the keeper never runs, whatever state the snapshot recorded.
            tasks.await(new VirtualMachineSnapshot(service.getServerConnection(), found.ref()).revertToSnapshot_Task(null, true),
                    "restore", object);
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "restore", object);
        }
        users.follow(volume, top, diskFile(keeper, volume));
    }

    synchronized void delete(VolumeSnapshot snapshot, Users users) {
        VolumeRef volume = snapshot.volume();
        if (!ObjectName.isValid(snapshot.name())) {
            return;
        }
        ObjectId object = snapshotObject(volume, snapshot.name());
        Optional<VirtualMachine> keeper = keeper(volume);
        if (keeper.isEmpty()) {
            return;
        }
        Optional<Found> found = find(keeper.get(), snapshot);
        if (found.isEmpty()) {
            return;
        }
        String top = diskFile(keeper.get(), volume);
        try {
            // Not its children: they are other snapshots the engine still names. Consolidate: the
            // delta merges into its parent, so no chain is left longer than the snapshots need.
            tasks.await(new VirtualMachineSnapshot(service.getServerConnection(), found.get().ref()).removeSnapshot_Task(false, true),
                    "delete", object);
        } catch (ObjectNotFoundException gone) {
            return;
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            DriverException failure = VsphereFaults.translate(e, "delete", object);
            if (failure instanceof ObjectNotFoundException) {
                return;
            }
            throw failure;
        }
        users.follow(volume, top, diskFile(keeper.get(), volume));
        dropIfEmpty(keeper.get(), volume, null);
    }

    /**
     * Before the volume is deleted or overwritten: refused while it has snapshots (a copy onto it
     * would replace the file the snapshots' chain hangs on); a keeper left without snapshots is
     * removed.
     */
    synchronized void refuseIfSnapshotted(VolumeRef volume, String action) {
        Optional<VirtualMachine> keeper = keeper(volume);
        if (keeper.isEmpty()) {
            return;
        }
        List<Found> ours = ours(keeper.get(), volume);
        if (!ours.isEmpty()) {
            throw new ConflictException("Cannot " + action + " volume " + volume + " on endpoint '" + endpoint + "': it has "
                    + ours.size() + " safety snapshot(s) (" + ours.get(0).snapshot().name() + (ours.size() > 1 ? ", ..." : "")
                    + "); delete them first (the upgrade that took them drops them after its retention)", ObjectId.of(volume));
        }
        dropIfEmpty(keeper.get(), volume, null);
    }

    /** The file that holds the volume's current content: the top of its keeper's chain, else its own vmdk. */
    synchronized String currentFile(VolumeRef volume) {
        return keeper(volume).map(k -> diskFile(k, volume)).orElse(volume.id());
    }

    /** The keeper's name: the volume's, prefixed, cut and made unique by a hash past vSphere's 80 characters. */
    static String keeperName(VolumeRef volume) {
        String name = KEEPER_PREFIX + volume.name();
        if (name.length() <= VM_NAME_MAX) {
            return name;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(volume.id().getBytes(StandardCharsets.UTF_8));
            String hash = HexFormat.of().formatHex(digest, 0, 8);
            return name.substring(0, VM_NAME_MAX - hash.length() - 1) + "-" + hash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java", e);
        }
    }

    static boolean isKeeper(VirtualMachineConfigInfo config) {
        if (config == null || config.getExtraConfig() == null) {
            return false;
        }
        for (OptionValue option : config.getExtraConfig()) {
            if (KEEPER_OF.equals(option.getKey()) && option.getValue() != null && !option.getValue().toString().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    // ---- the keeper

    private Optional<VirtualMachine> keeper(VolumeRef volume) {
        ObjectId object = ObjectId.of(volume);
        String name = keeperName(volume);
        VirtualMachine vm;
        try {
            vm = (VirtualMachine) new InventoryNavigator(vmFolder).searchManagedEntity("VirtualMachine", name);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "look for the snapshot keeper " + name + " of", object);
        }
        if (vm == null) {
            return Optional.empty();
        }
        VirtualMachineConfigInfo config = config(vm, object);
        String keeps = null;
        for (OptionValue option : config.getExtraConfig() == null ? new OptionValue[0] : config.getExtraConfig()) {
            if (KEEPER_OF.equals(option.getKey()) && option.getValue() != null) {
                keeps = option.getValue().toString();
            }
        }
        if (!volume.id().equals(keeps)) {
            throw new ConflictException("VM " + name + " on endpoint '" + endpoint + "' is not the snapshot keeper of volume " + volume
                    + " (it keeps " + (keeps == null ? "nothing" : keeps) + "); rename or remove that VM", object);
        }
        return Optional.of(vm);
    }

    private VirtualMachine createKeeper(VolumeRef volume, long sizeBytes) {
        ObjectId object = ObjectId.of(volume);
        String name = keeperName(volume);
        ParaVirtualSCSIController controller = new ParaVirtualSCSIController();
        controller.setKey(-100);
        controller.setBusNumber(0);
        controller.setSharedBus(VirtualSCSISharing.noSharing);
        VirtualDiskFlatVer2BackingInfo backing = new VirtualDiskFlatVer2BackingInfo();
        backing.setFileName(volume.id());
        backing.setDiskMode("persistent");
        VirtualDisk disk = new VirtualDisk();
        disk.setKey(-101);
        disk.setControllerKey(-100);
        disk.setUnitNumber(0);
        disk.setBacking(backing);
        disk.setCapacityInKB((sizeBytes + 1023) / 1024);
        VirtualMachineFileInfo files = new VirtualMachineFileInfo();
        files.setVmPathName("[" + datastoreName + "]");
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        spec.setName(name);
        spec.setGuestId("otherGuest64");
        spec.setNumCPUs(1);
        spec.setMemoryMB(4L);
        spec.setFiles(files);
        spec.setAnnotation("Holds Duplex's safety snapshots of volume " + volume.name() + ". Never power it on; Duplex deletes it"
                + " with the last snapshot.");
        spec.setExtraConfig(new OptionValue[] {VmwareDriver.option(KEEPER_OF, volume.id())});
        // The existing disk, no file operation: nothing is created or copied.
        spec.setDeviceChange(new VirtualDeviceConfigSpec[] {add(controller), add(disk)});
        try {
            ManagedObjectReference ref = (ManagedObjectReference) tasks.await(vmFolder.createVM_Task(spec, pool, null),
                    "make the snapshot keeper " + name + " of", object);
            return new VirtualMachine(service.getServerConnection(), ref);
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "make the snapshot keeper " + name + " of", object);
        }
    }

    /** Destroys the keeper once it holds no snapshot, its disk detached first: vSphere deletes the disks a destroyed VM holds. */
    private void dropIfEmpty(VirtualMachine keeper, VolumeRef volume, Exception pending) {
        ObjectId object = ObjectId.of(volume);
        try {
            VirtualMachineSnapshotInfo info = keeper.getSnapshot();
            if (info != null && info.getRootSnapshotList() != null && info.getRootSnapshotList().length > 0) {
                return;
            }
            List<VirtualDeviceConfigSpec> changes = new ArrayList<>();
            for (VirtualDisk disk : disks(config(keeper, object))) {
                VirtualDeviceConfigSpec change = new VirtualDeviceConfigSpec();
                change.setOperation(VirtualDeviceConfigSpecOperation.remove);
                change.setDevice(disk);
                changes.add(change);
            }
            if (!changes.isEmpty()) {
                VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
                spec.setDeviceChange(changes.toArray(VirtualDeviceConfigSpec[]::new));
                tasks.await(keeper.reconfigVM_Task(spec), "detach the volume from its snapshot keeper", object);
            }
            String action = "remove the snapshot keeper " + keeperName(volume) + " of";
            tasks.await(keeper.destroy_Task(), action, object);
        } catch (Exception e) {
            DriverException failure = VsphereFaults.translate(e, "remove the snapshot keeper of", object);
            if (pending != null) {
                pending.addSuppressed(failure);
            } else {
                throw failure;
            }
        }
    }

    /** The keeper's disk file: the top of the volume's chain. */
    private String diskFile(VirtualMachine keeper, VolumeRef volume) {
        ObjectId object = ObjectId.of(volume);
        List<VirtualDisk> disks = disks(config(keeper, object));
        if (disks.size() != 1) {
            throw new PlatformException("Snapshot keeper " + keeperName(volume) + " of volume " + volume + " on endpoint '" + endpoint
                    + "' has " + disks.size() + " disks, not the volume's one; give it back its only disk " + volume.id(), object);
        }
        return ((VirtualDiskFlatVer2BackingInfo) disks.get(0).getBacking()).getFileName();
    }

    private static List<VirtualDisk> disks(VirtualMachineConfigInfo config) {
        List<VirtualDisk> disks = new ArrayList<>();
        VirtualDevice[] devices = config.getHardware() == null ? null : config.getHardware().getDevice();
        for (VirtualDevice device : devices == null ? new VirtualDevice[0] : devices) {
            if (device instanceof VirtualDisk disk && disk.getBacking() instanceof VirtualDiskFlatVer2BackingInfo) {
                disks.add(disk);
            }
        }
        return disks;
    }

    private static VirtualMachineConfigInfo config(VirtualMachine vm, ObjectId object) {
        try {
            VirtualMachineConfigInfo config = vm.getConfig();
            if (config == null) {
                throw new ObjectNotFoundException(object);
            }
            return config;
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "read the snapshot keeper of", object);
        }
    }

    // ---- the snapshot tree

    /** Duplex's snapshots on the keeper, oldest first. */
    private List<Found> ours(VirtualMachine keeper, VolumeRef volume) {
        VirtualMachineSnapshotInfo info;
        try {
            info = keeper.getSnapshot();
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "list the snapshots of", ObjectId.of(volume));
        }
        List<Found> found = new ArrayList<>();
        if (info != null) {
            collect(info.getRootSnapshotList(), volume, found);
        }
        found.sort(Comparator.comparing((Found f) -> f.snapshot().createdAt()).thenComparingInt(Found::order));
        return found;
    }

    private static void collect(VirtualMachineSnapshotTree[] trees, VolumeRef volume, List<Found> found) {
        for (VirtualMachineSnapshotTree tree : trees == null ? new VirtualMachineSnapshotTree[0] : trees) {
            String description = tree.getDescription() == null ? "" : tree.getDescription();
            if (ObjectName.isValid(tree.getName()) && description.equals(DESCRIPTION + volume.name()) && tree.getCreateTime() != null) {
                found.add(new Found(new VolumeSnapshot(tree.getSnapshot().getVal(), volume, tree.getName(),
                        tree.getCreateTime().toInstant()), tree.getId() == null ? 0 : tree.getId(), tree.getSnapshot()));
            }
            collect(tree.getChildSnapshotList(), volume, found);
        }
    }

    /** The keeper's snapshot with this id and name; a forged id, or another volume's, is none. */
    private Optional<Found> find(VirtualMachine keeper, VolumeSnapshot snapshot) {
        return ours(keeper, snapshot.volume()).stream()
                .filter(f -> f.snapshot().id().equals(snapshot.id()) && f.snapshot().name().equals(snapshot.name()))
                .findFirst();
    }

    static String checkName(VolumeRef volume, String name) {
        if (!ObjectName.isValid(name)) {
            throw new InvalidSpecException(ObjectName.problem("snapshot", name == null ? "" : name) + " (of volume " + volume + ")",
                    ObjectId.of(volume));
        }
        return name;
    }

    private static ObjectId snapshotObject(VolumeRef volume, String name) {
        return new ObjectId(ObjectKind.VOLUME_SNAPSHOT, name + " of volume " + volume);
    }

    private static VirtualDeviceConfigSpec add(VirtualDevice device) {
        VirtualDeviceConfigSpec change = new VirtualDeviceConfigSpec();
        change.setOperation(VirtualDeviceConfigSpecOperation.add);
        change.setDevice(device);
        return change;
    }
}
