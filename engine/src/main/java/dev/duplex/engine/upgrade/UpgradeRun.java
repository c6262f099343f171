package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.RoleController;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the steps of one job share: the job's parameters, the ports, the drivers and the role
 * controller. The platform and the pair's active system are asked afresh each time; what only
 * this run changes is kept for the run (a resumed job starts a new run, which reads what the dead
 * process left behind): the pair's role-controller and resync-gate settings, the images by name,
 * and each member's VM record, read once and replaced by the record this run writes
 * ({@link #updateVm}). The job's VM locks keep every other writer off those records, and a run
 * that lost its job to another node learns it at its next step's heartbeat. The role
 * controller's {@link PairContext} is built from them until the next VM write. Read per poll and
 * per step, these were most of a fleet's database calls.
 */
final class UpgradeRun {
    /**
     * How long members may take to report a switch after a switching call failed, unless the pair's
     * {@code switchover-settle-ms} says otherwise: longer than a takeover that outran the controller's
     * own timeout takes, short enough that a switch that will not happen fails soon.
     */
    static final Duration DEFAULT_SWITCHOVER_SETTLE = Duration.ofSeconds(10);

    private final UpgradeJob job;
    private final Inventory inventory;
    private final Drivers drivers;
    private final RoleController roleController;
    private final UpgradeListener listener;
    private final UpgradeSettings settings;
    private final Runnable heartbeat;
    private final KeptEnvironment keptEnvironment;
    private final Map<String, ImageRecord> images = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Optional<PairRecord> pairSettings;
    private final Map<String, VmRecord> keptVms = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, VolumeRecord> keptVolumes = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile PairContext keptContext;

    UpgradeRun(UpgradeJob job, Inventory inventory, Drivers drivers, RoleController roleController, UpgradeListener listener,
            UpgradeSettings settings, KeptEnvironment keptEnvironment, Runnable heartbeat) {
        this.job = requireNonNull(job, "job is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.roleController = requireNonNull(roleController, "roleController is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
        this.keptEnvironment = requireNonNull(keptEnvironment, "keptEnvironment is null");
    }

    /**
     * Starts the run from the records its job's checks read instead of reading them again: the members' VMs as read
     * under the job's locks, the pair whose settings built the run's role controller, the images, the linked
     * volumes (which no one may delete or change while they are linked). A resumed run reads each as it needs it.
     */
    UpgradeRun startingFrom(Optional<PairRecord> pair, List<VmRecord> vms, Map<String, ImageRecord> knownImages,
            Map<String, VolumeRecord> volumes) {
        pairSettings = requireNonNull(pair, "pair is null");
        vms.forEach(vm -> keptVms.put(vm.name(), vm));
        images.putAll(knownImages);
        keptVolumes.putAll(volumes);
        return this;
    }

    /** Where a step keeps a member's environment info while it replaces the member's VM. */
    KeptEnvironment keptEnvironment() {
        return keptEnvironment;
    }

    UpgradeJob job() {
        return job;
    }

    Inventory inventory() {
        return inventory;
    }

    RoleController roleController() {
        return roleController;
    }

    UpgradeListener listener() {
        return listener;
    }

    void heartbeat() {
        heartbeat.run();
    }

    HypervisorDriver driver(String member) {
        return drivers.driver(job.member(member).endpoint());
    }

    VmRecord vmRecord(String member) {
        VmRecord kept = keptVms.get(member);
        if (kept != null) {
            return kept;
        }
        VmRecord read = inventory.vm(member).orElseThrow(() -> new NotInInventoryException("VM", member));
        keptVms.put(member, read);
        return read;
    }

    /** The pair as the inventory has it now; for a single VM, empty. */
    Optional<PairRecord> pair() {
        return job.isPair() ? inventory.pair(job.pair()) : Optional.empty();
    }

    /**
     * The pair as read once for this run, for its settings (role controller, resync gate), which
     * no step changes; {@link #pair()} for what steps do change (the active system).
     */
    private Optional<PairRecord> pairSettings() {
        Optional<PairRecord> read = pairSettings;
        if (read == null) {
            read = pair();
            pairSettings = read;
        }
        return read;
    }

    /** Writes a member's VM record, which is then the one kept; the {@link #pairContext()} is built again. */
    void updateVm(VmRecord vm) {
        try {
            inventory.updateVm(vm);
            keptVms.put(vm.name(), vm);
        } catch (RuntimeException e) {
            keptVms.remove(vm.name()); // its commit may have happened: read it again
            throw e;
        } finally {
            keptContext = null;
        }
    }

    /** What the role controller is told: the members as this run knows them since its last VM write. */
    PairContext pairContext() {
        PairContext kept = keptContext;
        if (kept != null) {
            return kept;
        }
        PairContext context = readPairContext();
        keptContext = context;
        return context;
    }

    private PairContext readPairContext() {
        List<PairContext.Member> members = new ArrayList<>();
        for (MemberBefore before : job.before()) {
            VmRecord vm = vmRecord(before.member());
            members.add(new PairContext.Member(vm.name(), before.system(), vm.endpoint(), vm.driverRef(), vm.properties()));
        }
        Map<String, String> settings = pairSettings().map(PairRecord::roleController).orElse(Map.of());
        return new PairContext(job.pair(), members, settings);
    }

    /** The VM the inventory says plays the member now, if the platform still has it. */
    Optional<VmInfo> currentVm(String member) {
        VmRecord record = vmRecord(member);
        return describe(driver(member), new VmRef(record.driverRef(), record.name()));
    }

    /** The state of the member's current VM; STOPPED when the platform no longer has it. */
    VmState state(String member) {
        return currentVm(member).map(VmInfo::state).orElse(VmState.STOPPED);
    }

    static Optional<VmInfo> describe(HypervisorDriver driver, VmRef vm) {
        try {
            return Optional.of(driver.describeVm(vm));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    /** A VM of that driver name on the member's endpoint, if there is one: asked by name, not by listing the endpoint. */
    Optional<VmInfo> findVmByName(String member, String vmName) {
        return driver(member).findVm(vmName);
    }

    /**
     * A VM of that driver id on the member's endpoint, if there is one. Asked by id, not by listing
     * the endpoint: a listing grows with the endpoint's VMs, which made a fleet's every step slower
     * the more pairs the endpoint holds.
     */
    Optional<VmInfo> findVmById(String member, String vmId) {
        return describe(driver(member), new VmRef(vmId, job.member(member).vmName()));
    }

    ImageRecord image(String name) {
        return knownImage(name).orElseThrow(() -> new NotInInventoryException("image", name));
    }

    /** The image's software version as the inventory records it; empty when it does not know the image. */
    Optional<String> softwareVersion(String name) {
        return knownImage(name).map(ImageRecord::softwareVersion);
    }

    /** The image as read once for the run; an image the inventory does not know is asked for again. */
    private Optional<ImageRecord> knownImage(String name) {
        ImageRecord known = images.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<ImageRecord> read = inventory.image(name);
        read.ifPresent(image -> images.put(name, image));
        return read;
    }

    ImageRef imageRef(String name) {
        ImageRecord image = image(name);
        return new ImageRef(image.driverRef(), image.name());
    }

    VolumeRecord volume(String name) {
        VolumeRecord kept = keptVolumes.get(name);
        if (kept != null) {
            return kept;
        }
        return inventory.volume(name).orElseThrow(() -> new NotInInventoryException("volume", name));
    }

    /** Records a volume the run made (replacing one of that name the inventory has, if {@code replacing}). */
    void addVolume(VolumeRecord volume, boolean replacing) {
        keptVolumes.remove(volume.name());
        if (replacing) {
            inventory.removeVolume(volume.name());
        }
        inventory.addVolume(volume);
    }

    /** The driver's form of an inventory link. */
    VolumeLink driverLink(LinkRecord link) {
        VolumeRecord volume = volume(link.volume());
        return new VolumeLink(new VolumeRef(volume.driverRef(), volume.name()), link.mountPath(), link.mode());
    }

    String peerOf(String member) {
        return job.peerOf(member);
    }

    /** Pair-level resync gate setting in ms, else the engine's default. */
    Duration gateSetting(String key, Duration fallback) {
        String value = pairSettings().map(p -> p.resyncGate().get(key)).orElse(null);
        if (value == null) {
            return fallback;
        }
        try {
            return Duration.ofMillis(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Pair '" + job.pair() + "': resync gate setting '" + key
                    + "' must be a number of milliseconds: '" + value + "'");
        }
    }

    Duration resyncTimeout() {
        return gateSetting("timeout-ms", settings.resyncTimeout());
    }

    Duration healthTimeout() {
        return gateSetting("health-timeout-ms", settings.healthTimeout());
    }

    /** How long members may take to report a switch after the call that asked for it failed ({@link Switchover}). */
    Duration switchoverSettle() {
        return gateSetting("switchover-settle-ms", DEFAULT_SWITCHOVER_SETTLE);
    }

    Duration pollInterval() {
        return gateSetting("poll-ms", settings.pollInterval());
    }

    /** Sleeps one poll interval, keeping the job's heartbeat fresh. */
    void pause() {
        heartbeat();
        try {
            Thread.sleep(Math.max(1, pollInterval().toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailure("interrupted while waiting");
        }
    }
}
