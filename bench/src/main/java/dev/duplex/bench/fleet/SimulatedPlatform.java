package dev.duplex.bench.fleet;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A platform in memory whose operations take configured times (a sleep each), recording per pair
 * how long the engine waited on it, so that the engine's own time is the wall time minus that.
 * VM names start with their pair's name and a '-' (p00042-0, or p00042-0-j7 after an upgrade).
 */
final class SimulatedPlatform implements HypervisorDriver {
    private record Vm(VmRef ref, ImageRef image, List<VolumeLink> links, VmState state) {}

    private final Duration stop;
    private final Duration create;
    private final Duration start;
    private final Duration delete;
    private final SimulatedTime time;
    private final Map<String, ImageInfo> images = new ConcurrentHashMap<>();
    private final Map<String, VolumeInfo> volumes = new ConcurrentHashMap<>();
    private final Map<String, Vm> vms = new ConcurrentHashMap<>();
    /** Name to id and volume id to the ids of the VMs linking it: a platform answers these without a listing. */
    private final Map<String, String> idsByName = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> linkers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    SimulatedPlatform(Duration stop, Duration create, Duration start, Duration delete, SimulatedTime time) {
        this.stop = stop;
        this.create = create;
        this.start = start;
        this.delete = delete;
        this.time = time;
    }

    /** The time the platform takes for one member: stop, create, start, delete of the old VM. */
    Duration perMember() {
        return stop.plus(create).plus(start).plus(delete);
    }

    ImageRef addImage(String name, String version) {
        ImageRef ref = new ImageRef("img-" + ids.incrementAndGet(), name);
        images.put(ref.id(), new ImageInfo(ref, version));
        return ref;
    }

    VmRef addRunningVm(String name, ImageRef image, List<VolumeLink> links) {
        VmRef ref = new VmRef("vm-" + ids.incrementAndGet(), name);
        add(new Vm(ref, image, links, VmState.RUNNING));
        return ref;
    }

    @Override
    public String kind() {
        return "simulated";
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.of(Capability.MOUNT_AT_BOOT, Capability.COPY_AT_BOOT, Capability.VOLUME_COPY);
    }

    @Override
    public ImageRef registerImage(ImageSpec spec) {
        return addImage(spec.name(), spec.softwareVersion());
    }

    @Override
    public List<ImageInfo> listImages() {
        return List.copyOf(images.values());
    }

    @Override
    public void deleteImage(ImageRef image) {
        images.remove(image.id());
    }

    @Override
    public VolumeRef createVolume(VolumeSpec spec) {
        VolumeRef ref = new VolumeRef("vol-" + ids.incrementAndGet(), spec.name());
        volumes.put(ref.id(), new VolumeInfo(ref, spec.sizeBytes(), spec.purpose()));
        return ref;
    }

    @Override
    public List<VolumeInfo> listVolumes() {
        return List.copyOf(volumes.values());
    }

    @Override
    public void deleteVolume(VolumeRef volume) {
        throw new IllegalStateException("the simulation never deletes a volume: " + volume);
    }

    @Override
    public VmRef createVm(VmSpec spec) {
        time.spend(spec.name(), create);
        VmRef ref = new VmRef("vm-" + ids.incrementAndGet(), spec.name());
        add(new Vm(ref, spec.image(), spec.links(), VmState.STOPPED));
        return ref;
    }

    private void add(Vm vm) {
        vms.put(vm.ref().id(), vm);
        idsByName.put(vm.ref().name(), vm.ref().id());
        vm.links().forEach(link -> linkers.computeIfAbsent(link.volume().id(), id -> ConcurrentHashMap.newKeySet()).add(vm.ref().id()));
    }

    @Override
    public Optional<VmInfo> findVm(String name) {
        return Optional.ofNullable(idsByName.get(name)).map(vms::get).map(SimulatedPlatform::info);
    }

    @Override
    public List<VmInfo> vmsLinking(VolumeRef volume) {
        return linkers.getOrDefault(volume.id(), Set.of()).stream().map(vms::get).filter(java.util.Objects::nonNull)
                .map(SimulatedPlatform::info).toList();
    }

    private static VmInfo info(Vm vm) {
        return new VmInfo(vm.ref(), vm.image(), vm.state(), vm.links());
    }

    @Override
    public List<VmInfo> listVms() {
        return vms.values().stream().map(SimulatedPlatform::info).toList();
    }

    @Override
    public VmInfo describeVm(VmRef ref) {
        Vm vm = vms.get(ref.id());
        if (vm == null) {
            throw new dev.duplex.api.ObjectNotFoundException(dev.duplex.api.ObjectId.of(ref));
        }
        return info(vm);
    }

    @Override
    public BootReport start(VmRef ref) {
        time.spend(ref.name(), start);
        vms.computeIfPresent(ref.id(), (id, vm) -> new Vm(vm.ref(), vm.image(), vm.links(), VmState.RUNNING));
        return new BootReport(ref, 0, Duration.ZERO);
    }

    @Override
    public void stop(VmRef ref, StopMode mode) {
        time.spend(ref.name(), stop);
        vms.computeIfPresent(ref.id(), (id, vm) -> new Vm(vm.ref(), vm.image(), vm.links(), VmState.STOPPED));
    }

    @Override
    public void deleteVm(VmRef ref) {
        time.spend(ref.name(), delete);
        Vm removed = vms.remove(ref.id());
        if (removed != null) {
            idsByName.remove(removed.ref().name(), removed.ref().id());
            removed.links().forEach(link -> linkers.getOrDefault(link.volume().id(), Set.of()).remove(removed.ref().id()));
        }
    }

    @Override
    public void close() {}

    /** The simulated time spent per pair. */
    static final class SimulatedTime {
        private final Map<String, LongAdder> nanosByPair = new ConcurrentHashMap<>();

        void spend(String vmOrPair, Duration duration) {
            int dash = vmOrPair.indexOf('-');
            String pair = dash < 0 ? vmOrPair : vmOrPair.substring(0, dash);
            nanosByPair.computeIfAbsent(pair, p -> new LongAdder()).add(duration.toNanos());
            try {
                Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while simulating", e);
            }
        }

        Duration of(String pair) {
            LongAdder spent = nanosByPair.get(pair);
            return Duration.ofNanos(spent == null ? 0 : spent.sum());
        }
    }
}
