package dev.duplex.driver.vmware;

import com.vmware.vim25.FileAlreadyExists;
import com.vmware.vim25.FileBackedVirtualDiskSpec;
import com.vmware.vim25.HostDatastoreBrowserSearchResults;
import com.vmware.vim25.HostDatastoreBrowserSearchSpec;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.OptionValue;
import com.vmware.vim25.ParaVirtualSCSIController;
import com.vmware.vim25.ToolsUnavailable;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineCloneSpec;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import com.vmware.vim25.VirtualMachineFileInfo;
import com.vmware.vim25.VirtualMachinePowerState;
import com.vmware.vim25.VirtualMachineRelocateSpec;
import com.vmware.vim25.VirtualSCSIController;
import com.vmware.vim25.VirtualSCSISharing;
import com.vmware.vim25.mo.Datacenter;
import com.vmware.vim25.mo.Datastore;
import com.vmware.vim25.mo.Folder;
import com.vmware.vim25.mo.InventoryNavigator;
import com.vmware.vim25.mo.ManagedEntity;
import com.vmware.vim25.mo.ResourcePool;
import com.vmware.vim25.mo.ServiceInstance;
import com.vmware.vim25.mo.Task;
import com.vmware.vim25.mo.VirtualMachine;
import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.ConflictException;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.DriverException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.api.VolumeSpec;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vSphere as a Duplex platform. An image is a VM template (marked {@code duplex.image.version} in
 * its extraConfig); a VM is cloned from it and remembers its image and its links in extraConfig;
 * a volume is a virtual disk {@code [datastore] duplex-volumes/<name>.vmdk} with a small
 * description file beside it; a {@link VolumeLink} is that same disk attached to the VM, never a
 * copy; {@link #copyVolume} is {@code CopyVirtualDisk_Task}. Before a VM is destroyed its linked
 * disks are detached, because vSphere deletes every disk still attached to a destroyed VM.
 */
final class VmwareDriver implements HypervisorDriver {
    static final String KIND = "vmware";
    static final Capabilities CAPABILITIES = Capabilities.of(Capability.MOUNT_AT_BOOT, Capability.COPY_AT_BOOT,
            Capability.VOLUME_COPY, Capability.VOLUME_SNAPSHOT, Capability.HOT_ATTACH, Capability.ENVIRONMENT_STORE,
            Capability.FIRMWARE_STORE);

    private static final Logger log = LoggerFactory.getLogger(VmwareDriver.class);
    private static final String VOLUMES = "duplex-volumes";
    private static final String IMAGE_VERSION = "duplex.image.version";
    private static final String IMAGE_OF_VM = "duplex.image";
    private static final String LINK = "duplex.link.";
    /** Set from a boot that copied volumes in until the copies are saved back to the volumes. */
    private static final String COPIES_UNSAVED = "duplex.copies.unsaved";
    private static final String COPY_PREFIX = "duplex-copy-";
    /** A SCSI controller's units, 7 being its own. */
    private static final int SCSI_UNITS = 16;
    private static final int SCSI_BUSES = 4;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,79}");
    /** How vSphere names a snapshot's delta disk after its parent's: {@code -000001.vmdk}. */
    private static final Pattern DELTA = Pattern.compile("-[0-9]{6}\\.vmdk");
    private static final Set<String> IMAGE_KEYS = Set.of("guest-id", "memory-mb", "cpus");
    private static final Set<String> VOLUME_KEYS = Set.of();
    private static final Set<String> VM_KEYS = Set.of();

    private final ServiceInstance service;
    private final String endpoint;
    private final Datacenter datacenter;
    private final Datastore datastore;
    private final ResourcePool pool;
    private final Folder vmFolder;
    private final DatastoreFiles files;
    private final Tasks tasks = new Tasks(Duration.ofMinutes(10));
    private final VolumeSnapshots snapshots;

    private VmwareDriver(ServiceInstance service, String endpoint, Datacenter datacenter, Datastore datastore, ResourcePool pool,
            Folder vmFolder, DatastoreFiles files) {
        this.service = service;
        this.endpoint = endpoint;
        this.datacenter = datacenter;
        this.datastore = datastore;
        this.pool = pool;
        this.vmFolder = vmFolder;
        this.files = files;
        this.snapshots = new VolumeSnapshots(service, datastore.getName(), pool, vmFolder, tasks, endpoint);
    }

    static VmwareDriver connect(VmwareSettings settings, String endpoint) {
        ObjectId where = new ObjectId(ObjectKind.ENDPOINT, endpoint);
        ServiceInstance service = new VsphereConnection(settings, endpoint).login();
        try {
            Datacenter datacenter = (Datacenter) find(service.getRootFolder(), "Datacenter", settings.datacenter(), where);
            Datastore datastore = settings.datastore().isPresent()
                    ? (Datastore) find(datacenter, "Datastore", settings.datastore(), where)
                    : first(datacenter.getDatastores(), "datastore", where);
            ResourcePool pool = (ResourcePool) find(datacenter, "ResourcePool", settings.pool(), where);
            HttpClient http = HttpClient.newBuilder().sslContext(new VsphereConnection(settings, endpoint).sslContext())
                    .connectTimeout(Duration.ofSeconds(10)).build();
            DatastoreFiles files = new DatastoreFiles(http, settings.sdk(), datacenter.getName(), datastore.getName(),
                    service.getServerConnection().getSessionStr());
            return new VmwareDriver(service, endpoint, datacenter, datastore, pool, datacenter.getVmFolder(), files);
        } catch (RuntimeException | java.rmi.RemoteException e) {
            service.getServerConnection().logout();
            throw VsphereFaults.translate(e, "connect to", where);
        }
    }

    private static ManagedEntity find(ManagedEntity root, String type, Optional<String> name, ObjectId where)
            throws java.rmi.RemoteException {
        ManagedEntity found = name.isPresent()
                ? new InventoryNavigator(root).searchManagedEntity(type, name.get())
                : first(new InventoryNavigator(root).searchManagedEntities(type), type, where);
        if (found == null) {
            throw new InvalidSpecException("VMware endpoint " + where.id() + " has no " + type + " named '" + name.orElse("")
                    + "'; check the endpoint's '" + type.toLowerCase() + "' property", where);
        }
        return found;
    }

    private static <T> T first(T[] entities, String type, ObjectId where) {
        if (entities == null || entities.length == 0) {
            throw new InvalidSpecException("VMware endpoint " + where.id() + " has no " + type + "; create one in vSphere", where);
        }
        return entities[0];
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    // ---- images

    @Override
    public ImageRef registerImage(ImageSpec spec) {
        ObjectId id = new ObjectId(ObjectKind.IMAGE, spec.name());
        checkName(spec.name(), id);
        checkKeys(spec.properties(), IMAGE_KEYS, id);
        try {
            VirtualMachineConfigSpec config = new VirtualMachineConfigSpec();
            config.setExtraConfig(new OptionValue[] {option(IMAGE_VERSION, spec.softwareVersion())});
            VirtualMachine template;
            if (spec.source().equals("blank")) {
                // A template with no disk of its own, for simulators and tests: the VM boots nothing.
                config.setName(spec.name());
                config.setGuestId(spec.properties().getOrDefault("guest-id", "otherGuest64"));
                config.setMemoryMB(Long.parseLong(spec.properties().getOrDefault("memory-mb", "64")));
                config.setNumCPUs(Integer.parseInt(spec.properties().getOrDefault("cpus", "1")));
                VirtualMachineFileInfo vmFiles = new VirtualMachineFileInfo();
                vmFiles.setVmPathName("[" + datastore.getName() + "]");
                config.setFiles(vmFiles);
                ManagedObjectReference created = (ManagedObjectReference) tasks.await(
                        vmFolder.createVM_Task(config, pool, null), "register", id);
                template = new VirtualMachine(service.getServerConnection(), created);
                template.markAsTemplate();
            } else {
                VirtualMachine source = (VirtualMachine) new InventoryNavigator(vmFolder)
                        .searchManagedEntity("VirtualMachine", spec.source());
                if (source == null) {
                    throw new InvalidSpecException("Image " + spec.name() + " names source '" + spec.source()
                            + "', which is no VM or template in datacenter " + datacenter.getName()
                            + "; give the name of the template to copy, or 'blank'", id);
                }
                VirtualMachineCloneSpec clone = new VirtualMachineCloneSpec();
                clone.setLocation(relocation());
                clone.setTemplate(true);
                clone.setPowerOn(false);
                clone.setConfig(config);
                ManagedObjectReference created = (ManagedObjectReference) tasks.await(
                        source.cloneVM_Task(vmFolder, spec.name(), clone), "register", id);
                template = new VirtualMachine(service.getServerConnection(), created);
            }
            return new ImageRef(template.getMOR().getVal(), spec.name());
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("Image " + spec.name() + " has a non-numeric memory-mb or cpus: " + e.getMessage(), id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "register", id);
        }
    }

    @Override
    public List<ImageInfo> listImages() {
        List<ImageInfo> images = new ArrayList<>();
        for (Seen vm : allVms()) {
            if (vm.template() && vm.extra().containsKey(IMAGE_VERSION)) {
                images.add(new ImageInfo(new ImageRef(vm.id(), vm.name()), vm.extra().get(IMAGE_VERSION)));
            }
        }
        return images;
    }

    @Override
    public void deleteImage(ImageRef image) {
        ObjectId id = ObjectId.of(image);
        Seen template = image(image);
        for (Seen vm : allVms()) {
            if (!vm.template() && image.id().equals(vm.extra().get(IMAGE_OF_VM))) {
                throw new ConflictException("Image " + image + " is used by VM " + vm.name() + "; delete that VM first", id);
            }
        }
        try {
            tasks.await(template.vm().destroy_Task(), "delete", id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "delete", id);
        }
    }

    // ---- volumes

    @Override
    public VolumeRef createVolume(VolumeSpec spec) {
        ObjectId id = new ObjectId(ObjectKind.VOLUME, spec.name());
        checkName(spec.name(), id);
        checkKeys(spec.properties(), VOLUME_KEYS, id);
        String disk = diskPath(spec.name());
        try {
            try {
                service.getFileManager().makeDirectory("[" + datastore.getName() + "] " + VOLUMES, datacenter, true);
            } catch (FileAlreadyExists e) {
                // made by an earlier volume
            }
            if (files.read(describer(spec.name()), id).isPresent()) {
                throw new ConflictException("Volume " + spec.name() + " already exists on datastore " + datastore.getName()
                        + "; choose another name", id);
            }
            FileBackedVirtualDiskSpec diskSpec = new FileBackedVirtualDiskSpec();
            diskSpec.setCapacityKb((spec.sizeBytes() + 1023) / 1024);
            diskSpec.setAdapterType("lsiLogic");
            diskSpec.setDiskType("thin");
            tasks.await(service.getVirtualDiskManager().createVirtualDisk_Task(disk, datacenter, diskSpec), "create", id);
            Properties description = new Properties();
            description.setProperty("purpose", spec.purpose());
            description.setProperty("size", Long.toString(spec.sizeBytes()));
            java.io.StringWriter text = new java.io.StringWriter();
            description.store(text, "Duplex volume");
            files.write(describer(spec.name()), text.toString().getBytes(StandardCharsets.UTF_8), id);
            return new VolumeRef(disk, spec.name());
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "create", id);
        }
    }

    @Override
    public List<VolumeInfo> listVolumes() {
        ObjectId where = new ObjectId(ObjectKind.ENDPOINT, endpoint);
        try {
            HostDatastoreBrowserSearchSpec search = new HostDatastoreBrowserSearchSpec();
            search.setMatchPattern(new String[] {"*.duplex"});
            HostDatastoreBrowserSearchResults found;
            try {
                found = (HostDatastoreBrowserSearchResults) tasks.await(datastore.getBrowser().searchDatastore_Task(
                        "[" + datastore.getName() + "] " + VOLUMES, search), "list the volumes of", where);
            } catch (ObjectNotFoundException e) {
                return List.of();
            }
            List<VolumeInfo> volumes = new ArrayList<>();
            if (found == null || found.getFile() == null) {
                return volumes;
            }
            for (var file : found.getFile()) {
                String name = file.getPath().substring(0, file.getPath().length() - ".duplex".length());
                describe(new VolumeRef(diskPath(name), name)).ifPresent(volumes::add);
            }
            return volumes;
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "list the volumes of", where);
        }
    }

    @Override
    public void deleteVolume(VolumeRef volume) {
        ObjectId id = ObjectId.of(volume);
        String name = volumeName(volume);
        for (Seen vm : allVms()) {
            for (VolumeLink link : links(vm)) {
                if (link.volume().id().equals(volume.id())) {
                    throw new ConflictException("Volume " + volume + " is linked to VM " + vm.name()
                            + "; delete that VM first (its volumes stay)", id);
                }
            }
        }
        snapshots.refuseIfSnapshotted(volume, "delete");
        try {
            tasks.await(service.getVirtualDiskManager().deleteVirtualDisk_Task(volume.id(), datacenter), "delete", id);
            tasks.await(service.getFileManager().deleteDatastoreFile_Task(
                    "[" + datastore.getName() + "] " + describer(name), datacenter), "delete", id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "delete", id);
        }
    }

    @Override
    public long copyVolume(VolumeRef from, VolumeRef to, CopyProgress progress) {
        VolumeInfo source = describe(from).orElseThrow(() -> new ObjectNotFoundException(ObjectId.of(from)));
        describe(to).orElseThrow(() -> new ObjectNotFoundException(ObjectId.of(to)));
        ObjectId id = ObjectId.of(to);
        snapshots.refuseIfSnapshotted(to, "copy " + from + " onto");
        String sourceFile = snapshots.currentFile(from);
        try {
            // The target is an existing, empty volume of the pair: replaced by the copy (force).
            tasks.await(service.getVirtualDiskManager().copyVirtualDisk_Task(sourceFile, datacenter, to.id(), datacenter,
                    null, true), "copy " + from + " to", id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "copy " + from + " to", id);
        }
        progress.update(source.sizeBytes(), source.sizeBytes());
        return source.sizeBytes();
    }

    // ---- safety snapshots (VolumeSnapshots: VM snapshots on the volume's keeper)

    @Override
    public VolumeSnapshot snapshotVolume(VolumeRef volume, String name) {
        VolumeSnapshots.checkName(volume, name);
        VolumeInfo info = describe(volume).orElseThrow(() -> new ObjectNotFoundException(ObjectId.of(volume)));
        return snapshots.take(volume, name, info.sizeBytes(), users);
    }

    @Override
    public List<VolumeSnapshot> listSnapshots(VolumeRef volume) {
        describe(volume).orElseThrow(() -> new ObjectNotFoundException(ObjectId.of(volume)));
        return snapshots.list(volume);
    }

    @Override
    public void restoreSnapshot(VolumeSnapshot snapshot) {
        volumeName(snapshot.volume());
        snapshots.restore(snapshot, users);
    }

    @Override
    public void deleteSnapshot(VolumeSnapshot snapshot) {
        try {
            volumeName(snapshot.volume());
        } catch (ObjectNotFoundException notOurs) {
            return; // no volume of ours, so no snapshot of ours: nothing to delete
        }
        snapshots.delete(snapshot, users);
    }

    /** The VMs that use volumes, as the snapshot keeper needs them (keepers themselves left out). */
    private final VolumeSnapshots.Users users = new VolumeSnapshots.Users() {
        @Override
        public Optional<String> running(VolumeRef volume, String currentFile) {
            String name = volumeName(volume);
            for (Seen vm : allVms()) {
                if (vm.template() || VolumeSnapshots.isKeeper(vm.config()) || vm.power() == VirtualMachinePowerState.poweredOff) {
                    continue;
                }
                boolean attached = volumeDisks(vm.config()).stream()
                        .anyMatch(disk -> isFileOf(((VirtualDiskFlatVer2BackingInfo) disk.getBacking()).getFileName(), name));
                boolean copied = links(vm).stream().anyMatch(link -> link.volume().id().equals(volume.id()));
                if (attached || copied) {
                    return Optional.of(vm.name());
                }
            }
            return Optional.empty();
        }

        @Override
        public Optional<String> copyingAtBoot(VolumeRef volume) {
            for (Seen vm : allVms()) {
                if (vm.template() || VolumeSnapshots.isKeeper(vm.config())) {
                    continue;
                }
                if (links(vm).stream().anyMatch(link -> link.mode() == VolumeLink.Mode.COPY_AT_BOOT
                        && link.volume().id().equals(volume.id()))) {
                    return Optional.of(vm.name());
                }
            }
            return Optional.empty();
        }

        @Override
        public void follow(VolumeRef volume, String from, String to) {
            if (from.equals(to)) {
                return;
            }
            for (Seen vm : allVms()) {
                if (VolumeSnapshots.isKeeper(vm.config())) {
                    continue;
                }
                List<VirtualDeviceConfigSpec> changes = new ArrayList<>();
                for (VirtualDisk disk : volumeDisks(vm.config())) {
                    VirtualDiskFlatVer2BackingInfo backing = (VirtualDiskFlatVer2BackingInfo) disk.getBacking();
                    if (backing.getFileName().equals(from)) {
                        backing.setFileName(to);
                        VirtualDeviceConfigSpec change = new VirtualDeviceConfigSpec();
                        change.setOperation(VirtualDeviceConfigSpecOperation.edit);
                        change.setDevice(disk);
                        changes.add(change);
                    }
                }
                if (!changes.isEmpty()) {
                    log.info("VM {} follows volume {} from {} to {}", vm.name(), volume, from, to);
                    VirtualMachineConfigSpec config = new VirtualMachineConfigSpec();
                    config.setDeviceChange(changes.toArray(VirtualDeviceConfigSpec[]::new));
                    config.setChangeVersion(vm.config().getChangeVersion());
                    ObjectId id = new ObjectId(ObjectKind.VM, vm.id());
                    try {
                        tasks.await(vm.vm().reconfigVM_Task(config), "point the disk of " + volume + " at " + to + " in", id);
                    } catch (Exception e) {
                        throw VsphereFaults.translate(e, "point the disk of " + volume + " at " + to + " in", id);
                    }
                }
            }
        }
    };

    // ---- VMs

    @Override
    public VmRef createVm(VmSpec spec) {
        ObjectId id = new ObjectId(ObjectKind.VM, spec.name());
        checkName(spec.name(), id);
        checkKeys(spec.properties(), VM_KEYS, id);
        Seen template = image(spec.image());
        List<Long> sizes = new ArrayList<>();
        for (VolumeLink link : spec.links()) {
            sizes.add(describe(link.volume()).orElseThrow(() -> new ObjectNotFoundException(ObjectId.of(link.volume()))).sizeBytes());
        }
        VirtualMachine created;
        try {
            List<OptionValue> extra = new ArrayList<>();
            extra.add(option(IMAGE_OF_VM, spec.image().id()));
            for (int i = 0; i < spec.links().size(); i++) {
                VolumeLink link = spec.links().get(i);
                extra.add(option(LINK + i, link.mode() + "|" + link.mountPath() + "|" + link.volume().name()));
            }
            VirtualMachineConfigSpec config = new VirtualMachineConfigSpec();
            config.setExtraConfig(extra.toArray(OptionValue[]::new));
            VirtualMachineCloneSpec clone = new VirtualMachineCloneSpec();
            clone.setLocation(relocation());
            clone.setTemplate(false);
            clone.setPowerOn(false);
            clone.setConfig(config);
            ManagedObjectReference ref = (ManagedObjectReference) tasks.await(
                    template.vm().cloneVM_Task(vmFolder, spec.name(), clone), "create", id);
            created = new VirtualMachine(service.getServerConnection(), ref);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "create", id);
        }
        VmRef vm = new VmRef(created.getMOR().getVal(), spec.name());
        if (!spec.links().isEmpty()) {
            try {
                Seen seen = lookUp(vm.id(), ObjectId.of(vm));
                List<Disk> disks = new ArrayList<>();
                for (int i = 0; i < spec.links().size(); i++) {
                    VolumeLink link = spec.links().get(i);
                    String file = snapshots.currentFile(link.volume());
                    if (link.mode() == VolumeLink.Mode.COPY_AT_BOOT) {
                        // The VM's private disk, empty and thin until each boot fills it with the volume's content:
                        // copying here too would copy the whole volume twice before the first boot.
                        file = copyPath(seen, i).toString();
                        emptyDisk(file, sizes.get(i), "make the private disk for the copy of " + link.volume() + " in", ObjectId.of(vm));
                    }
                    disks.add(new Disk(file, sizes.get(i)));
                }
                addDisks(seen, disks, List.of(), "attach the linked volumes to", ObjectId.of(vm));
            } catch (RuntimeException e) {
                // Undo our own half: the clone without its disks is of no use, and holds nothing of the
                // volumes (a private copy lives in the VM's own folder and goes with it).
                try {
                    tasks.await(created.destroy_Task(), "delete", ObjectId.of(vm));
                } catch (Exception undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
        }
        return vm;
    }

    /** A disk to attach: an existing vmdk and its size. */
    private record Disk(String file, long sizeBytes) {}

    /** A new, empty, thin-provisioned disk of {@code sizeBytes} at {@code file}. */
    private void emptyDisk(String file, long sizeBytes, String action, ObjectId id) {
        FileBackedVirtualDiskSpec diskSpec = new FileBackedVirtualDiskSpec();
        diskSpec.setCapacityKb((sizeBytes + 1023) / 1024);
        diskSpec.setAdapterType("lsiLogic");
        diskSpec.setDiskType("thin");
        try {
            tasks.await(service.getVirtualDiskManager().createVirtualDisk_Task(file, datacenter, diskSpec), action, id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, action, id);
        }
    }

    /** {@code CopyVirtualDisk_Task} onto {@code to}, replacing it if it exists. */
    private void copyDisk(String from, String to, String action, ObjectId id) {
        try {
            tasks.await(service.getVirtualDiskManager().copyVirtualDisk_Task(from, datacenter, to, datacenter, null, true), action, id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, action, id);
        }
    }

    /** Where the {@code index}-th link's private copy lives: in the VM's own folder, so it goes with the VM. */
    private static DatastorePath copyPath(Seen vm, int index) {
        return vmFolder(vm).resolve(COPY_PREFIX + index + ".vmdk");
    }

    /** The VM's folder on its datastore, from its {@code .vmx} path. */
    private static DatastorePath vmFolder(Seen vm) {
        DatastorePath vmx = DatastorePath.parse(vm.config().getFiles().getVmPathName());
        return vmx.path().endsWith(".vmx") ? vmx.folder().orElseThrow(() -> new IllegalArgumentException(
                "VM " + vm.name() + " has its .vmx in its datastore's root: " + vmx)) : vmx;
    }

    /**
     * Attaches existing disks to the VM (no file operation: nothing is created or copied) and sets
     * {@code extra} in the same ReconfigVM_Task, so the disks and their record land together. The
     * disks go on a paravirtual SCSI controller with free units, a new one if none has them; this
     * works on a running VM too (hot add).
     */
    private void addDisks(Seen vm, List<Disk> disks, List<OptionValue> extra, String action, ObjectId id) {
        try {
            VirtualDevice[] devices = vm.config().getHardware().getDevice();
            devices = devices == null ? new VirtualDevice[0] : devices;
            List<VirtualDeviceConfigSpec> changes = new ArrayList<>();
            int controllerKey = -1;
            java.util.Deque<Integer> free = new java.util.ArrayDeque<>();
            int bus = 0;
            for (VirtualDevice device : devices) {
                if (device instanceof VirtualSCSIController scsi) {
                    bus = Math.max(bus, scsi.getBusNumber() + 1);
                    if (device instanceof ParaVirtualSCSIController && free.size() < disks.size()) {
                        java.util.Deque<Integer> units = freeUnits(devices, scsi.getKey());
                        if (units.size() >= disks.size()) {
                            controllerKey = scsi.getKey();
                            free = units;
                        }
                    }
                }
            }
            if (free.size() < disks.size()) {
                if (bus >= SCSI_BUSES || disks.size() > SCSI_UNITS - 1) {
                    throw new ConflictException("VM " + vm.name() + " has no SCSI controller with " + disks.size()
                            + " free units and no room for another; detach a volume first", id);
                }
                ParaVirtualSCSIController controller = new ParaVirtualSCSIController();
                controller.setKey(-100);
                controller.setBusNumber(bus);
                controller.setSharedBus(VirtualSCSISharing.noSharing);
                changes.add(change(controller));
                controllerKey = -100;
                free = freeUnits(new VirtualDevice[0], -100);
            }
            for (int i = 0; i < disks.size(); i++) {
                VirtualDiskFlatVer2BackingInfo backing = new VirtualDiskFlatVer2BackingInfo();
                backing.setFileName(disks.get(i).file());
                backing.setDiskMode("persistent");
                VirtualDisk disk = new VirtualDisk();
                disk.setKey(-101 - i);
                disk.setControllerKey(controllerKey);
                disk.setUnitNumber(free.removeFirst());
                disk.setBacking(backing);
                disk.setCapacityInKB((disks.get(i).sizeBytes() + 1023) / 1024);
                changes.add(change(disk));
            }
            VirtualMachineConfigSpec config = new VirtualMachineConfigSpec();
            config.setDeviceChange(changes.toArray(VirtualDeviceConfigSpec[]::new));
            if (!extra.isEmpty()) {
                config.setExtraConfig(extra.toArray(OptionValue[]::new));
            }
            config.setChangeVersion(vm.config().getChangeVersion());
            tasks.await(vm.vm().reconfigVM_Task(config), action, id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, action, id);
        }
    }

    private static java.util.Deque<Integer> freeUnits(VirtualDevice[] devices, int controllerKey) {
        Set<Integer> used = new java.util.HashSet<>(Set.of(7));
        for (VirtualDevice device : devices) {
            if (device.getControllerKey() != null && device.getControllerKey() == controllerKey && device.getUnitNumber() != null) {
                used.add(device.getUnitNumber());
            }
        }
        java.util.Deque<Integer> free = new java.util.ArrayDeque<>();
        for (int unit = 0; unit < SCSI_UNITS; unit++) {
            if (!used.contains(unit)) {
                free.add(unit);
            }
        }
        return free;
    }

    // ---- hot attach and detach

    @Override
    public void attachVolume(VmRef vm, VolumeLink link) {
        ObjectId id = ObjectId.of(vm);
        if (link.mode() != VolumeLink.Mode.MOUNT_AT_BOOT) {
            throw new InvalidSpecException("Cannot hot-attach " + link.volume() + " to VM " + vm + " as " + link.mode()
                    + ": a running VM can only use a volume in place; link it with mode MOUNT_AT_BOOT", id);
        }
        long size = describe(link.volume()).orElseThrow(() -> new ObjectNotFoundException(ObjectId.of(link.volume()))).sizeBytes();
        synchronized (this) {
            Seen seen = vm(vm);
            int next = 0;
            for (Map.Entry<String, String> entry : seen.extra().entrySet()) {
                if (entry.getKey().startsWith(LINK)) {
                    next = Math.max(next, Integer.parseInt(entry.getKey().substring(LINK.length())) + 1);
                }
            }
            for (VolumeLink existing : links(seen)) {
                if (existing.volume().id().equals(link.volume().id())) {
                    throw new ConflictException("Volume " + link.volume() + " is already linked to VM " + vm + "; nothing to attach",
                            ObjectId.of(link.volume()));
                }
            }
            addDisks(seen, List.of(new Disk(snapshots.currentFile(link.volume()), size)),
                    List.of(option(LINK + next, link.mode() + "|" + link.mountPath() + "|" + link.volume().name())),
                    "hot-attach " + link.volume() + " to", id);
        }
    }

    @Override
    public void detachVolume(VmRef vm, VolumeRef volume) {
        ObjectId id = ObjectId.of(vm);
        String name = volumeName(volume);
        synchronized (this) {
            Seen seen = vm(vm);
            List<VirtualDeviceConfigSpec> changes = new ArrayList<>();
            for (VirtualDisk disk : volumeDisks(seen.config())) {
                if (isFileOf(((VirtualDiskFlatVer2BackingInfo) disk.getBacking()).getFileName(), name)) {
                    // No file operation: the disk leaves the VM, its file stays.
                    VirtualDeviceConfigSpec change = new VirtualDeviceConfigSpec();
                    change.setOperation(VirtualDeviceConfigSpecOperation.remove);
                    change.setDevice(disk);
                    changes.add(change);
                }
            }
            List<OptionValue> forget = new ArrayList<>();
            seen.extra().forEach((key, value) -> {
                if (key.startsWith(LINK) && value.endsWith("|" + name) && value.startsWith(VolumeLink.Mode.MOUNT_AT_BOOT + "|")) {
                    forget.add(option(key, "")); // an empty value removes the key
                }
            });
            if (changes.isEmpty()) {
                throw new ConflictException("Volume " + volume + " is not attached to VM " + vm + "; nothing to detach",
                        ObjectId.of(volume));
            }
            VirtualMachineConfigSpec config = new VirtualMachineConfigSpec();
            config.setDeviceChange(changes.toArray(VirtualDeviceConfigSpec[]::new));
            config.setExtraConfig(forget.toArray(OptionValue[]::new));
            config.setChangeVersion(seen.config().getChangeVersion());
            try {
                tasks.await(seen.vm().reconfigVM_Task(config), "hot-detach " + volume + " from", id);
            } catch (Exception e) {
                throw VsphereFaults.translate(e, "hot-detach " + volume + " from", id);
            }
        }
    }

    private static VirtualDeviceConfigSpec change(VirtualDevice device) {
        VirtualDeviceConfigSpec change = new VirtualDeviceConfigSpec();
        change.setOperation(VirtualDeviceConfigSpecOperation.add);
        change.setDevice(device);
        return change;
    }

    @Override
    public List<VmInfo> listVms() {
        List<VmInfo> vms = new ArrayList<>();
        for (Seen vm : allVms()) {
            if (!vm.template() && vm.extra().containsKey(IMAGE_OF_VM)) {
                vms.add(info(vm));
            }
        }
        return vms;
    }

    @Override
    public VmInfo describeVm(VmRef vm) {
        return info(vm(vm));
    }

    /**
     * Powers the VM on. A MOUNT_AT_BOOT volume is attached itself: nothing to copy. A COPY_AT_BOOT
     * volume is copied onto the VM's private disk first (CopyVirtualDisk_Task), and the VM is
     * marked as holding unsaved copies until {@link #stop} saves them back; a run that ended
     * without our stop (the guest powered off) has its copies saved back here, before the boot
     * copies the volumes in over them.
     */
    @Override
    public BootReport start(VmRef vm) {
        ObjectId id = ObjectId.of(vm);
        synchronized (this) {
            Seen seen = vm(vm);
            if (seen.power() == VirtualMachinePowerState.poweredOn) {
                return new BootReport(vm, 0, Duration.ZERO);
            }
            List<Integer> copies = copyLinks(seen);
            long copied = 0;
            long began = System.nanoTime();
            if (!copies.isEmpty()) {
                if (hasUnsavedCopies(seen)) {
                    log.info("VM {} stopped without Duplex after its last boot: saving its copies back to its volumes first", vm);
                    saveCopies(seen, id);
                    seen = vm(vm);
                }
                for (int index : copies) {
                    VolumeLink link = linkAt(seen, index);
                    copyDisk(snapshots.currentFile(link.volume()), copyPath(seen, index).toString(),
                            "copy " + link.volume() + " in at the boot of", id);
                    copied += describe(link.volume()).map(VolumeInfo::sizeBytes).orElse(0L);
                }
                setExtra(seen, COPIES_UNSAVED, "true", "mark the copies of", id);
            }
            Duration copyTime = Duration.ofNanos(copies.isEmpty() ? 0 : System.nanoTime() - began);
            try {
                tasks.await(seen.vm().powerOnVM_Task(null), "start", id);
            } catch (Exception e) {
                throw VsphereFaults.translate(e, "start", id);
            }
            return new BootReport(vm, copied, copyTime);
        }
    }

    /** The indexes of the VM's COPY_AT_BOOT links. */
    private static List<Integer> copyLinks(Seen vm) {
        List<Integer> indexes = new ArrayList<>();
        vm.extra().forEach((key, value) -> {
            if (key.startsWith(LINK) && value.startsWith(VolumeLink.Mode.COPY_AT_BOOT + "|")) {
                indexes.add(Integer.parseInt(key.substring(LINK.length())));
            }
        });
        java.util.Collections.sort(indexes);
        return indexes;
    }

    private VolumeLink linkAt(Seen vm, int index) {
        String[] parts = vm.extra().get(LINK + index).split("\\|", 3);
        return new VolumeLink(new VolumeRef(diskPath(parts[2]), parts[2]), parts[1], VolumeLink.Mode.valueOf(parts[0]));
    }

    private static boolean hasUnsavedCopies(Seen vm) {
        return "true".equals(vm.extra().get(COPIES_UNSAVED));
    }

    /**
     * Writes each private copy back onto its volume (CopyVirtualDisk_Task, replacing it), then
     * clears the mark. The VM must be powered off: nothing may write to a copy while it is saved.
     */
    private void saveCopies(Seen vm, ObjectId id) {
        for (int index : copyLinks(vm)) {
            VolumeLink link = linkAt(vm, index);
            snapshots.refuseIfSnapshotted(link.volume(), "save the copy of VM " + vm.name() + " back onto");
            copyDisk(copyPath(vm, index).toString(), link.volume().id(), "save the copy back to " + link.volume() + " from", id);
        }
        setExtra(lookUp(vm.id(), id), COPIES_UNSAVED, "", "clear the copies' mark of", id);
    }

    private void setExtra(Seen vm, String key, String value, String action, ObjectId id) {
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        spec.setExtraConfig(new OptionValue[] {option(key, value)});
        spec.setChangeVersion(vm.config().getChangeVersion());
        try {
            tasks.await(vm.vm().reconfigVM_Task(spec), action, id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, action, id);
        }
    }

    /** Powers the VM off, then saves its copy-at-boot copies back to their volumes (the rule of write back at stop). */
    @Override
    public void stop(VmRef vm, StopMode mode) {
        ObjectId id = ObjectId.of(vm);
        synchronized (this) {
            Seen seen = vm(vm);
            if (seen.power() != VirtualMachinePowerState.poweredOff) {
                powerOff(seen, mode, id);
            }
            Seen stopped = vm(vm);
            if (hasUnsavedCopies(stopped)) {
                saveCopies(stopped, id);
            }
        }
    }

    private void powerOff(Seen seen, StopMode mode, ObjectId id) {
        try {
            if (mode == StopMode.GRACEFUL && seen.power() == VirtualMachinePowerState.poweredOn) {
                try {
                    seen.vm().shutdownGuest();
                    if (awaitPoweredOff(seen.vm(), Duration.ofMinutes(5))) {
                        return;
                    }
                } catch (ToolsUnavailable e) {
                    log.info("VM {} has no VMware Tools running: powering it off instead of shutting its guest down", seen.name());
                }
            }
            tasks.await(seen.vm().powerOffVM_Task(), "stop", id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "stop", id);
        }
    }

    private static boolean awaitPoweredOff(VirtualMachine vm, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (vm.getRuntime().getPowerState() == VirtualMachinePowerState.poweredOff) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Override
    public void deleteVm(VmRef vm) {
        Seen seen = vm(vm);
        ObjectId id = ObjectId.of(vm);
        if (seen.power() != VirtualMachinePowerState.poweredOff) {
            throw new ConflictException("VM " + vm + " is " + seen.power() + "; stop it before deleting it", id);
        }
        if (hasUnsavedCopies(seen)) {
            // Its last run ended without our stop: what it wrote to its copies goes to the volumes before the copies go.
            saveCopies(seen, id);
            seen = vm(vm);
        }
        try {
            detachVolumes(seen, id);
            tasks.await(seen.vm().destroy_Task(), "delete", id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "delete", id);
        }
    }

    /** Detaches the VM's volume disks without touching their files, so that destroying the VM leaves them. */
    private void detachVolumes(Seen vm, ObjectId id) throws Exception {
        List<VirtualDeviceConfigSpec> changes = new ArrayList<>();
        for (VirtualDisk disk : volumeDisks(vm.config())) {
            VirtualDeviceConfigSpec change = new VirtualDeviceConfigSpec();
            change.setOperation(VirtualDeviceConfigSpecOperation.remove);
            change.setDevice(disk);
            changes.add(change);
        }
        if (!changes.isEmpty()) {
            VirtualMachineConfigSpec config = new VirtualMachineConfigSpec();
            config.setDeviceChange(changes.toArray(VirtualDeviceConfigSpec[]::new));
            tasks.await(vm.vm().reconfigVM_Task(config), "detach the linked volumes of", id);
        }
    }

    @Override
    public dev.duplex.api.EnvironmentStore environment(VmRef vm) {
        vm(vm);
        return new VmwareEnvironmentStore(this, vm);
    }

    /** The VM's extraConfig now. */
    Map<String, String> extraConfigOf(VmRef vm) {
        return vm(vm).extra();
    }

    /** Where the VM's environment lives, read once: its extraConfig, its nvram file, whether it runs. */
    record EnvironmentPlace(Map<String, String> extra, DatastorePath nvram, boolean poweredOff, String changeVersion) {}

    EnvironmentPlace environmentPlace(VmRef vm) {
        Seen seen = vm(vm);
        return new EnvironmentPlace(seen.extra(), nvramOf(seen), seen.power() == VirtualMachinePowerState.poweredOff,
                seen.config().getChangeVersion());
    }

    /**
     * The VM's nvram file: the one its {@code nvram} setting names (a file in the VM's folder, as
     * vSphere records it, or a whole datastore path), else {@code <name>.nvram} in the VM's folder,
     * where vSphere makes it at the first power-on (and vcsim, empty, at creation). The file layout
     * ({@code layoutEx}) is not asked: vcsim 0.24 lists its files without their folder.
     */
    private static DatastorePath nvramOf(Seen vm) {
        String setting = vm.extra().get("nvram");
        try {
            if (setting != null && !setting.isBlank()) {
                return setting.startsWith("[") ? DatastorePath.parse(setting) : vmFolder(vm).resolve(setting);
            }
            return vmFolder(vm).resolve(vm.name() + ".nvram");
        } catch (IllegalArgumentException e) {
            // Set in vSphere by someone else: refused rather than followed out of the VM's folder.
            ObjectId id = new ObjectId(ObjectKind.VM, vm.id());
            throw new PlatformException("Cannot find the nvram file of VM " + vm.name() + " (" + vm.id() + "): " + e.getMessage()
                    + "; set the VM's 'nvram' option in vSphere to a plain file name", id);
        }
    }

    DatastoreFiles files() {
        return files;
    }

    /** Deletes a datastore file; one that is not there is already deleted. */
    void deleteFile(DatastorePath file, ObjectId object) {
        try {
            tasks.await(service.getFileManager().deleteDatastoreFile_Task(file.toString(), datacenter), "delete " + file + " of", object);
        } catch (ObjectNotFoundException gone) {
            // nothing to delete
        } catch (Exception e) {
            DriverException failure = VsphereFaults.translate(e, "delete " + file + " of", object);
            if (!(failure instanceof ObjectNotFoundException)) {
                throw failure;
            }
        }
    }

    /** Applies {@code spec} to the VM, refused by vSphere if the VM's configuration changed since {@code changeVersion}. */
    void reconfigure(VmRef vm, String changeVersion, VirtualMachineConfigSpec spec, String action) {
        Seen seen = vm(vm);
        ObjectId id = ObjectId.of(vm);
        spec.setChangeVersion(changeVersion);
        try {
            tasks.await(seen.vm().reconfigVM_Task(spec), action, id);
        } catch (Exception e) {
            throw VsphereFaults.translate(e, action, id);
        }
    }

    @Override
    public void close() {
        try {
            service.getServerConnection().logout();
        } catch (RuntimeException e) {
            log.debug("Logout from {} failed: {}", endpoint, e.toString());
        }
    }

    // ---- what vSphere says about a VM

    /** A VM or template as read once: its entity, config and power state. */
    private record Seen(VirtualMachine vm, String id, String name, VirtualMachineConfigInfo config, VirtualMachinePowerState power) {
        boolean template() {
            return config.isTemplate();
        }

        Map<String, String> extra() {
            Map<String, String> extra = new HashMap<>();
            if (config.getExtraConfig() != null) {
                for (OptionValue option : config.getExtraConfig()) {
                    if (option.getValue() != null) {
                        extra.put(option.getKey(), option.getValue().toString());
                    }
                }
            }
            return extra;
        }
    }

    private List<Seen> allVms() {
        ObjectId where = new ObjectId(ObjectKind.ENDPOINT, endpoint);
        try {
            List<Seen> seen = new ArrayList<>();
            ManagedEntity[] entities = new InventoryNavigator(vmFolder).searchManagedEntities("VirtualMachine");
            for (ManagedEntity entity : entities == null ? new ManagedEntity[0] : entities) {
                VirtualMachine vm = (VirtualMachine) entity;
                try {
                    see(vm).ifPresent(seen::add);
                } catch (ObjectNotFoundException gone) {
                    // deleted while we looked
                }
            }
            return seen;
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "list the VMs of", where);
        }
    }

    private Optional<Seen> see(VirtualMachine vm) {
        ObjectId id = new ObjectId(ObjectKind.VM, vm.getMOR().getVal());
        try {
            VirtualMachineConfigInfo config = vm.getConfig();
            if (config == null) {
                return Optional.empty();
            }
            return Optional.of(new Seen(vm, vm.getMOR().getVal(), vm.getName(), config, vm.getRuntime().getPowerState()));
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "look at", id);
        }
    }

    private Seen lookUp(String morId, ObjectId id) {
        ManagedObjectReference ref = new ManagedObjectReference();
        ref.setType("VirtualMachine");
        ref.setVal(morId);
        try {
            return see(new VirtualMachine(service.getServerConnection(), ref))
                    .orElseThrow(() -> new ObjectNotFoundException(id));
        } catch (ObjectNotFoundException e) {
            throw e.object().equals(Optional.of(id)) ? e : new ObjectNotFoundException(id, e);
        } catch (DriverException e) {
            // vSphere answers an unknown id in more than one way (a fault, an empty answer, a parse error of nothing)
            if (e.getMessage().contains("ManagedObjectNotFound")) {
                throw new ObjectNotFoundException(id, e);
            }
            throw e;
        }
    }

    private Seen vm(VmRef vm) {
        ObjectId id = ObjectId.of(vm);
        Seen seen = lookUp(vm.id(), id);
        if (seen.template() || !seen.extra().containsKey(IMAGE_OF_VM)) {
            throw new ObjectNotFoundException(id);
        }
        return seen;
    }

    private Seen image(ImageRef image) {
        ObjectId id = ObjectId.of(image);
        Seen seen = lookUp(image.id(), id);
        if (!seen.template() || !seen.extra().containsKey(IMAGE_VERSION)) {
            throw new ObjectNotFoundException(id);
        }
        return seen;
    }

    private VmInfo info(Seen vm) {
        String imageId = vm.extra().get(IMAGE_OF_VM);
        String imageName = imageId;
        try {
            imageName = lookUp(imageId, new ObjectId(ObjectKind.IMAGE, imageId)).name();
        } catch (ObjectNotFoundException e) {
            // the image was deleted after the VM was made from it; its id still names it
        }
        VmState state = vm.power() == VirtualMachinePowerState.poweredOn ? VmState.RUNNING : VmState.STOPPED;
        return new VmInfo(new VmRef(vm.id(), vm.name()), new ImageRef(imageId, imageName), state, links(vm));
    }

    /** The links recorded in the VM's extraConfig whose disks are really attached to it. */
    private List<VolumeLink> links(Seen vm) {
        Set<String> attached = new java.util.HashSet<>();
        for (VirtualDisk disk : volumeDisks(vm.config())) {
            attached.add(((VirtualDiskFlatVer2BackingInfo) disk.getBacking()).getFileName());
        }
        Map<Integer, VolumeLink> links = new java.util.TreeMap<>();
        vm.extra().forEach((key, value) -> {
            if (key.startsWith(LINK)) {
                String[] parts = value.split("\\|", 3);
                // A copy-at-boot link uses the VM's private copy: the volume itself is never attached.
                if (parts.length == 3 && (parts[0].equals(VolumeLink.Mode.COPY_AT_BOOT.name())
                        || attached.stream().anyMatch(file -> isFileOf(file, parts[2])))) {
                    links.put(Integer.parseInt(key.substring(LINK.length())), new VolumeLink(
                            new VolumeRef(diskPath(parts[2]), parts[2]), parts[1], VolumeLink.Mode.valueOf(parts[0])));
                }
            }
        });
        return List.copyOf(links.values());
    }

    /** The VM's disks that are Duplex volumes (under {@code duplex-volumes/} of our datastore). */
    private List<VirtualDisk> volumeDisks(VirtualMachineConfigInfo config) {
        List<VirtualDisk> disks = new ArrayList<>();
        VirtualDevice[] devices = config.getHardware() == null ? null : config.getHardware().getDevice();
        for (VirtualDevice device : devices == null ? new VirtualDevice[0] : devices) {
            if (device instanceof VirtualDisk disk && disk.getBacking() instanceof VirtualDiskFlatVer2BackingInfo backing
                    && backing.getFileName() != null && backing.getFileName().startsWith(diskPath(""))) {
                disks.add(disk);
            }
        }
        return disks;
    }

    // ---- volume names and descriptions

    private String diskPath(String name) {
        return "[" + datastore.getName() + "] " + VOLUMES + "/" + name + (name.isEmpty() ? "" : ".vmdk");
    }

    /**
     * Whether {@code file} holds volume {@code name}'s current content: its own vmdk, or a delta
     * disk vSphere made beside it for a snapshot ({@code <name>-000001.vmdk}).
     */
    private boolean isFileOf(String file, String name) {
        String stem = diskPath(name);
        stem = stem.substring(0, stem.length() - ".vmdk".length());
        return file.equals(stem + ".vmdk") || file.startsWith(stem + "-") && DELTA.matcher(file.substring(stem.length())).matches();
    }

    private static String describer(String name) {
        return VOLUMES + "/" + name + ".duplex";
    }

    private String volumeName(VolumeRef volume) {
        String prefix = diskPath("");
        String id = volume.id();
        if (!id.startsWith(prefix) || !id.endsWith(".vmdk") || !NAME.matcher(id.substring(prefix.length(), id.length() - 5)).matches()) {
            throw new ObjectNotFoundException(ObjectId.of(volume));
        }
        return id.substring(prefix.length(), id.length() - 5);
    }

    private Optional<VolumeInfo> describe(VolumeRef volume) {
        ObjectId id = ObjectId.of(volume);
        String name = volumeName(volume);
        Optional<byte[]> text = files.read(describer(name), id);
        if (text.isEmpty()) {
            throw new ObjectNotFoundException(id);
        }
        Properties description = new Properties();
        try {
            description.load(new java.io.StringReader(new String(text.get(), StandardCharsets.UTF_8)));
            return Optional.of(new VolumeInfo(new VolumeRef(volume.id(), name), Long.parseLong(description.getProperty("size")),
                    description.getProperty("purpose", "")));
        } catch (Exception e) {
            throw VsphereFaults.translate(e, "read the description of", id);
        }
    }

    // ---- checks

    private VirtualMachineRelocateSpec relocation() {
        VirtualMachineRelocateSpec location = new VirtualMachineRelocateSpec();
        location.setPool(pool.getMOR());
        location.setDatastore(datastore.getMOR());
        return location;
    }

    static OptionValue option(String key, String value) {
        OptionValue option = new OptionValue();
        option.setKey(key);
        option.setValue(value);
        return option;
    }

    private static void checkName(String name, ObjectId id) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidSpecException("'" + dev.duplex.api.VisibleText.escape(name) + "' is not a valid vSphere name for "
                    + id.kind().words() + ": use 1-80 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit", id);
        }
    }

    private static void checkKeys(Map<String, String> properties, Set<String> known, ObjectId id) {
        Map<String, String> unknown = new LinkedHashMap<>(properties);
        unknown.keySet().removeAll(known);
        if (!unknown.isEmpty()) {
            throw new InvalidSpecException("Unknown property '" + unknown.keySet().iterator().next() + "' of " + id
                    + "; known: " + (known.isEmpty() ? "none" : String.join(", ", known.stream().sorted().toList())), id);
        }
    }
}
