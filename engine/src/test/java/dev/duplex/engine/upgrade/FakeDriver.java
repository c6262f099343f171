package dev.duplex.engine.upgrade;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.ConflictException;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.StopMode;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory driver, strict where real platforms are: a volume is linked by at most one VM
 * definition, a running VM cannot be deleted, names are unique. It logs every change it makes
 * and watches that the VMs of a pair (names starting with {@code pairPrefix}) never all stop.
 */
final class FakeDriver implements HypervisorDriver {
    private record Vm(VmRef ref, ImageRef image, List<VolumeLink> links, Map<String, String> properties, VmState state) {
        Vm with(VmState newState) {
            return new Vm(ref, image, links, properties, newState);
        }
    }

    private final Capabilities capabilities;
    private final String pairPrefix;
    private final Map<String, ImageInfo> images = new LinkedHashMap<>();
    private final Map<String, VolumeInfo> volumes = new LinkedHashMap<>();
    private final Map<String, byte[]> content = new LinkedHashMap<>();
    private final Map<String, Vm> vms = new LinkedHashMap<>();
    private final List<String> changes = new ArrayList<>();
    private final List<String> deletedVolumes = new ArrayList<>();
    private final Map<String, List<dev.duplex.api.VolumeSnapshot>> snapshots = new LinkedHashMap<>();
    private final Map<String, byte[]> snapshotContent = new LinkedHashMap<>();
    private final Map<String, Byte> writesOnStart = new LinkedHashMap<>();
    private final java.util.Set<String> unsnapshottable = new java.util.HashSet<>();
    private int nextId = 1;
    private boolean allDownSeen;
    private int listings;

    FakeDriver(Capabilities capabilities, String pairPrefix) {
        this.capabilities = capabilities;
        this.pairPrefix = pairPrefix;
    }

    /** {@link #withAll} and {@link Capability#VOLUME_SNAPSHOT}: snapshots hold a copy of the volume's bytes. */
    static FakeDriver withSnapshots(String pairPrefix) {
        return new FakeDriver(Capabilities.of(Capability.MOUNT_AT_BOOT, Capability.COPY_AT_BOOT, Capability.VOLUME_COPY,
                Capability.VOLUME_SNAPSHOT), pairPrefix);
    }

    /** Snapshots of this volume are refused as unsupported, as vSphere refuses a volume linked copy-at-boot. */
    synchronized void refuseSnapshotsOf(String volumeName) {
        unsnapshottable.add(volumeName);
    }

    /** A VM of {@code imageName} rewrites its linked volumes when it starts, as a new version migrating its database. */
    synchronized void writeOnStart(String imageName, byte seed) {
        writesOnStart.put(imageName, seed);
    }

    static FakeDriver withAll(String pairPrefix) {
        return new FakeDriver(Capabilities.of(Capability.MOUNT_AT_BOOT, Capability.COPY_AT_BOOT, Capability.VOLUME_COPY), pairPrefix);
    }

    @Override
    public String kind() {
        return "fake";
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public synchronized ImageRef registerImage(ImageSpec spec) {
        throw new UnsupportedOperationException("tests use addImage");
    }

    synchronized ImageRef addImage(String name, String version) {
        ImageRef ref = new ImageRef("img-" + nextId++, name);
        images.put(ref.id(), new ImageInfo(ref, version));
        return ref;
    }

    @Override
    public synchronized List<ImageInfo> listImages() {
        return List.copyOf(images.values());
    }

    @Override
    public synchronized void deleteImage(ImageRef image) {
        images.remove(image.id());
    }

    @Override
    public synchronized VolumeRef createVolume(VolumeSpec spec) {
        if (volumes.values().stream().anyMatch(v -> v.volume().name().equals(spec.name()))) {
            throw new ConflictException("volume name " + spec.name() + " taken", new ObjectId(dev.duplex.api.ObjectKind.VOLUME, spec.name()));
        }
        VolumeRef ref = new VolumeRef("vol-" + nextId++, spec.name());
        volumes.put(ref.id(), new VolumeInfo(ref, spec.sizeBytes(), spec.purpose()));
        content.put(ref.id(), new byte[(int) spec.sizeBytes()]);
        changes.add("create-volume " + spec.name());
        return ref;
    }

    /** Fills a volume with a recognisable pattern, as a database would. */
    synchronized void fill(VolumeRef volume, byte seed) {
        byte[] bytes = content.get(volume.id());
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed + i * 31);
        }
    }

    synchronized byte[] content(String volumeId) {
        return content.get(volumeId).clone();
    }

    @Override
    public synchronized List<VolumeInfo> listVolumes() {
        return List.copyOf(volumes.values());
    }

    @Override
    public synchronized void deleteVolume(VolumeRef volume) {
        deletedVolumes.add(volume.name());
        volumes.remove(volume.id());
    }

    @Override
    public synchronized VmRef createVm(VmSpec spec) {
        if (!images.containsKey(spec.image().id())) {
            throw new ObjectNotFoundException(ObjectId.of(spec.image()));
        }
        if (vms.values().stream().anyMatch(v -> v.ref().name().equals(spec.name()))) {
            throw new ConflictException("VM name " + spec.name() + " taken", new ObjectId(dev.duplex.api.ObjectKind.VM, spec.name()));
        }
        for (VolumeLink link : spec.links()) {
            if (!volumes.containsKey(link.volume().id())) {
                throw new ObjectNotFoundException(ObjectId.of(link.volume()));
            }
            Capability needed = link.mode() == VolumeLink.Mode.MOUNT_AT_BOOT ? Capability.MOUNT_AT_BOOT : Capability.COPY_AT_BOOT;
            if (!capabilities.supports(needed)) {
                throw new UnsupportedOperationDriverException(kind(), needed.name());
            }
            for (Vm other : vms.values()) {
                if (other.links().stream().anyMatch(l -> l.volume().id().equals(link.volume().id()))) {
                    throw new ConflictException("volume " + link.volume() + " is linked by " + other.ref() + " already", ObjectId.of(link.volume()));
                }
            }
        }
        VmRef ref = new VmRef("vm-" + nextId++, spec.name());
        vms.put(ref.id(), new Vm(ref, spec.image(), spec.links(), spec.properties(), VmState.STOPPED));
        changes.add("create " + spec.name() + " from " + spec.image().name());
        return ref;
    }

    /** Adds a running VM, as if created and started before the test. */
    synchronized VmRef addRunningVm(String name, ImageRef image, List<VolumeLink> links) {
        VmRef ref = createVm(new VmSpec(name, image, links, Map.of()));
        vms.put(ref.id(), vms.get(ref.id()).with(VmState.RUNNING));
        changes.clear();
        return ref;
    }

    @Override
    public synchronized List<VmInfo> listVms() {
        listings++;
        return vms.values().stream().map(this::info).toList();
    }

    /** Answered without a listing, as a platform that can look a name up does. */
    @Override
    public synchronized java.util.Optional<VmInfo> findVm(String name) {
        return vms.values().stream().filter(vm -> vm.ref().name().equals(name)).findFirst().map(this::info);
    }

    @Override
    public synchronized List<VmInfo> vmsLinking(VolumeRef volume) {
        return vms.values().stream().filter(vm -> vm.links().stream().anyMatch(l -> l.volume().id().equals(volume.id())))
                .map(this::info).toList();
    }

    /** How often the whole endpoint was listed. */
    synchronized int listings() {
        return listings;
    }

    @Override
    public synchronized VmInfo describeVm(VmRef vm) {
        return info(find(vm));
    }

    private VmInfo info(Vm vm) {
        return new VmInfo(vm.ref(), vm.image(), vm.state(), vm.links());
    }

    private Vm find(VmRef vm) {
        Vm found = vms.get(vm.id());
        if (found == null) {
            throw new ObjectNotFoundException(ObjectId.of(vm));
        }
        return found;
    }

    @Override
    public synchronized BootReport start(VmRef ref) {
        Vm vm = find(ref);
        long copied = 0;
        for (VolumeLink link : vm.links()) {
            if (link.mode() == VolumeLink.Mode.COPY_AT_BOOT) {
                copied += volumes.get(link.volume().id()).sizeBytes();
            }
        }
        if (vm.state() != VmState.RUNNING) {
            changes.add("start " + ref.name());
            Byte seed = writesOnStart.get(vm.image().name());
            if (seed != null) {
                vm.links().forEach(link -> fill(link.volume(), seed));
            }
        }
        vms.put(ref.id(), vm.with(VmState.RUNNING));
        return new BootReport(ref, copied, Duration.ofMillis(copied > 0 ? 1 : 0));
    }

    @Override
    public synchronized void stop(VmRef ref, StopMode mode) {
        Vm vm = find(ref);
        if (vm.state() == VmState.STOPPED) {
            return;
        }
        changes.add("stop " + ref.name());
        vms.put(ref.id(), vm.with(VmState.STOPPED));
        watch();
    }

    /** Something outside Duplex stops (or crashes) a VM. */
    synchronized void crash(String name) {
        vms.replaceAll((id, vm) -> vm.ref().name().equals(name) ? vm.with(VmState.CRASHED) : vm);
    }

    @Override
    public synchronized void deleteVm(VmRef ref) {
        Vm vm = find(ref);
        if (vm.state() == VmState.RUNNING) {
            throw new ConflictException("VM " + ref + " is running", ObjectId.of(ref));
        }
        changes.add("delete " + ref.name());
        vms.remove(ref.id());
    }

    @Override
    public synchronized long copyVolume(VolumeRef from, VolumeRef to, CopyProgress progress) {
        if (!capabilities.supports(Capability.VOLUME_COPY)) {
            return HypervisorDriver.super.copyVolume(from, to, progress);
        }
        byte[] source = content.get(from.id());
        byte[] copy = Arrays.copyOf(source, source.length);
        content.put(to.id(), copy);
        progress.update(copy.length / 2, copy.length);
        progress.update(copy.length, copy.length);
        changes.add("copy " + from.name() + " -> " + to.name());
        return copy.length;
    }

    @Override
    public synchronized dev.duplex.api.VolumeSnapshot snapshotVolume(VolumeRef volume, String name) {
        requireSnapshots();
        if (!volumes.containsKey(volume.id())) {
            throw new ObjectNotFoundException(ObjectId.of(volume));
        }
        if (unsnapshottable.contains(volume.name())) {
            throw new dev.duplex.api.UnsupportedOperationDriverException(kind(), "snapshots of volume " + volume.name());
        }
        List<dev.duplex.api.VolumeSnapshot> taken = snapshots.computeIfAbsent(volume.id(), id -> new ArrayList<>());
        for (dev.duplex.api.VolumeSnapshot snapshot : taken) {
            if (snapshot.name().equals(name)) {
                return snapshot;
            }
        }
        dev.duplex.api.VolumeSnapshot snapshot = new dev.duplex.api.VolumeSnapshot("snap-" + nextId++, volume, name, java.time.Instant.now());
        taken.add(snapshot);
        snapshotContent.put(snapshot.id(), content.get(volume.id()).clone());
        changes.add("snapshot " + volume.name() + " as " + name);
        return snapshot;
    }

    @Override
    public synchronized List<dev.duplex.api.VolumeSnapshot> listSnapshots(VolumeRef volume) {
        requireSnapshots();
        return List.copyOf(snapshots.getOrDefault(volume.id(), List.of()));
    }

    @Override
    public synchronized void restoreSnapshot(dev.duplex.api.VolumeSnapshot snapshot) {
        requireSnapshots();
        byte[] saved = snapshotContent.get(snapshot.id());
        if (saved == null) {
            throw new ObjectNotFoundException(new ObjectId(dev.duplex.api.ObjectKind.VOLUME_SNAPSHOT, snapshot.name()));
        }
        for (Vm vm : vms.values()) {
            if (vm.state() == VmState.RUNNING && vm.links().stream().anyMatch(l -> l.volume().id().equals(snapshot.volume().id()))) {
                throw new ConflictException("volume " + snapshot.volume() + " is used by running VM " + vm.ref(), ObjectId.of(snapshot.volume()));
            }
        }
        content.put(snapshot.volume().id(), saved.clone());
        changes.add("restore " + snapshot.volume().name() + " from " + snapshot.name());
    }

    @Override
    public synchronized void deleteSnapshot(dev.duplex.api.VolumeSnapshot snapshot) {
        requireSnapshots();
        if (snapshotContent.remove(snapshot.id()) != null) {
            snapshots.getOrDefault(snapshot.volume().id(), new ArrayList<>()).removeIf(s -> s.id().equals(snapshot.id()));
            changes.add("drop snapshot " + snapshot.name() + " of " + snapshot.volume().name());
        }
    }

    private void requireSnapshots() {
        if (!capabilities.supports(Capability.VOLUME_SNAPSHOT)) {
            throw new UnsupportedOperationDriverException(kind(), "volume snapshot");
        }
    }

    private void watch() {
        boolean anyRunning = vms.values().stream()
                .anyMatch(vm -> vm.ref().name().startsWith(pairPrefix) && vm.state() == VmState.RUNNING);
        if (!anyRunning) {
            allDownSeen = true;
        }
    }

    synchronized boolean allDownSeen() {
        return allDownSeen;
    }

    synchronized List<String> changes() {
        return List.copyOf(changes);
    }

    synchronized List<String> deletedVolumes() {
        return List.copyOf(deletedVolumes);
    }

    @Override
    public void close() {}
}
