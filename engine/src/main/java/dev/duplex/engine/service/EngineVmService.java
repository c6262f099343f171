package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BootReport;
import dev.duplex.api.DriverException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ObjectName;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.Placement;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobLocks;
import dev.duplex.engine.job.LiveJobExistsException;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Virtual machines: an image plus links to external volumes. */
public final class EngineVmService implements VmService {
    private final Inventory inventory;
    private final EndpointConnections connections;
    private final JobLocks jobLocks;
    private final AuditTrail audit;
    private final Placement placement;

    @Inject
    public EngineVmService(Inventory inventory, EndpointConnections connections, JobLocks jobLocks, AuditTrail audit) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.jobLocks = requireNonNull(jobLocks, "jobLocks is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.placement = new Placement(inventory);
    }

    public record Detail(String endpoint, String image, List<LinkRecord> links, String ref) {
        static Detail of(VmRecord vm) {
            return new Detail(vm.endpoint(), vm.image(), vm.links(), vm.driverRef());
        }
    }

    /** The audit detail of a command forced past a live job. */
    public record HeldBy(long liveJob, String jobKind, String jobState, String jobTarget) {
        static HeldBy of(Job job) {
            return new HeldBy(job.id(), job.kind(), job.state().name(), job.pair());
        }
    }

    /**
     * Creates a VM, stopped. Everything is checked before the platform is asked, so a refusal leaves
     * nothing behind; if recording it fails, the VM just created is deleted again (never its volumes).
     */
    public VmRecord create(CreateVm request, Actor actor) {
        String name = request.name();
        String endpoint = request.endpoint();
        ObjectName.check("VM", name);
        Set<String> mountPaths = new HashSet<>();
        for (LinkRecord link : request.links()) {
            if (!VolumeLink.isValidMountPath(link.mountPath())) {
                throw new IllegalArgumentException("VM '" + name + "', link of volume '" + link.volume() + "': "
                        + VolumeLink.mountPathProblem(link.mountPath()));
            }
            if (!mountPaths.add(link.mountPath())) {
                throw new IllegalArgumentException("VM '" + name + "' links two volumes at " + link.mountPath() + "; give each its own path");
            }
        }
        if (inventory.vm(name).isPresent()) {
            throw new InventoryConflictException("A VM named '" + name + "' already exists");
        }
        inventory.endpoint(endpoint).orElseThrow(() -> new NotInInventoryException("endpoint", endpoint));
        ImageRecord image = inventory.image(request.image()).orElseThrow(() -> new NotInInventoryException("image", request.image()));
        if (!Placement.usable(image, endpoint)) {
            throw new IllegalArgumentException("Image " + image.name() + " is registered on endpoint " + image.endpoint()
                    + ", not on " + endpoint + "; register it there first");
        }
        List<VolumeLink> volumeLinks = new ArrayList<>();
        Set<String> linked = new HashSet<>();
        for (LinkRecord link : request.links()) {
            VolumeRecord volume = inventory.volume(link.volume()).orElseThrow(() -> new NotInInventoryException("volume", link.volume()));
            if (!Placement.usable(volume, endpoint)) {
                throw new IllegalArgumentException("Volume " + volume.name() + " is on endpoint " + volume.endpoint() + ", not on " + endpoint);
            }
            if (!linked.add(volume.name())) {
                throw new InventoryConflictException("VM '" + name + "' links volume " + volume.name() + " twice; a volume is linked once");
            }
            placement.linkers(volume.name()).stream().findFirst().ifPresent(vm -> {
                throw new InventoryConflictException("Volume " + volume.name() + " is already linked to VM " + vm);
            });
            volumeLinks.add(new VolumeLink(new VolumeRef(volume.driverRef(), volume.name()), link.mountPath(), link.mode()));
        }
        HypervisorDriver driver = connections.driver(endpoint);
        VmRef ref = driver.createVm(new VmSpec(name, new ImageRef(image.driverRef(), image.name()), volumeLinks, request.properties()));
        VmRecord vm = new VmRecord(name, endpoint, ref.id(), image.name(), request.links(), request.properties());
        try {
            inventory.addVm(vm);
        } catch (RuntimeException e) {
            driver.deleteVm(ref); // a stopped VM created a moment ago; its linked volumes are never deleted
            throw e;
        }
        audit.created(actor, "vm.create", "vm/" + name, Detail.of(vm));
        return vm;
    }

    /** Every VM with its state as its platform reports it now; a platform that cannot be asked shows UNKNOWN with why. */
    public List<VmStatus> list() {
        List<PairRecord> pairs = inventory.pairs();
        return inventory.vms().stream().map(vm -> status(vm, pairs)).toList();
    }

    public VmStatus show(String name) {
        return status(record(name), inventory.pairs());
    }

    /** Starts a VM (copy-at-boot links are copied in first); past a live job only with {@code force}, audited. */
    public BootReport start(String name, boolean force, Actor actor) {
        VmRecord vm = record(name);
        Optional<Job> pastJob = jobLocks.check(name, force, "duplex vm start " + name + " --force");
        BootReport report = connections.driver(vm.endpoint()).start(ref(vm));
        audit.record(actor, pastJob.isPresent() ? "vm.start.forced" : "vm.start", "vm/" + name, Optional.empty(), pastJob.map(HeldBy::of));
        return report;
    }

    /** Stops a VM: graceful, or at once with {@code force}, which also goes past a live job (audited). */
    public void stop(String name, boolean force, Actor actor) {
        VmRecord vm = record(name);
        // A member in a job may be the pair's only serving one: stopping it is an outage.
        Optional<Job> pastJob = jobLocks.check(name, force, "duplex vm stop " + name + " --force");
        connections.driver(vm.endpoint()).stop(ref(vm), force ? StopMode.FORCE : StopMode.GRACEFUL);
        audit.record(actor, pastJob.isPresent() ? "vm.stop.forced" : "vm.stop", "vm/" + name, Optional.empty(), pastJob.map(HeldBy::of));
    }

    /**
     * Deletes a stopped VM that is in no pair and no live job, on its platform and from the
     * inventory; its volumes stay. A VM already gone from the platform is only forgotten.
     */
    public VmRecord delete(String name, Actor actor) {
        VmRecord vm = record(name);
        Optional<PairRecord> pair = placement.pairOf(name);
        if (pair.isPresent()) {
            throw new InventoryConflictException("VM '" + name + "' is a member of pair '" + pair.get().name()
                    + "'; delete the pair first (duplex pair delete " + pair.get().name() + "), its VMs stay");
        }
        Optional<Job> holder = jobLocks.holder(name);
        if (holder.isPresent()) {
            Job job = holder.get();
            throw new LiveJobExistsException(name, job.id(), job.kind(), Optional.of(job.state()), job.pair());
        }
        HypervisorDriver driver = connections.driver(vm.endpoint());
        try {
            VmState state = driver.state(ref(vm));
            if (state != VmState.STOPPED && state != VmState.CRASHED) {
                throw new InventoryConflictException("VM '" + name + "' is " + state + "; stop it first (duplex vm stop " + name + ")");
            }
            driver.deleteVm(ref(vm));
        } catch (ObjectNotFoundException gone) {
            // already deleted on the platform: only the inventory still names it
        }
        inventory.removeVm(name);
        audit.record(actor, "vm.delete", "vm/" + name, Optional.of(Detail.of(vm)), Optional.empty());
        return vm;
    }

    private VmRecord record(String name) {
        return inventory.vm(name).orElseThrow(() -> new NotInInventoryException("VM", name));
    }

    private VmStatus status(VmRecord vm, List<PairRecord> pairs) {
        String state;
        try {
            state = connections.driver(vm.endpoint()).state(ref(vm)).name();
        } catch (DriverException e) {
            state = "UNKNOWN (" + e.getMessage() + ")";
        }
        Optional<String> pair = pairs.stream().filter(p -> p.system0().equals(vm.name()) || p.system1().equals(vm.name()))
                .map(PairRecord::name).findFirst();
        return new VmStatus(vm, state, pair);
    }

    private static VmRef ref(VmRecord vm) {
        return new VmRef(vm.driverRef(), vm.name());
    }
}
