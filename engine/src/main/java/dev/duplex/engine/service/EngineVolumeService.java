package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.Placement;
import dev.duplex.engine.inventory.VolumeRecord;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/** Volumes that live outside VM images, such as a member's database volume. */
public final class EngineVolumeService implements VolumeService {
    private final Inventory inventory;
    private final EndpointConnections connections;
    private final AuditTrail audit;

    @Inject
    public EngineVolumeService(Inventory inventory, EndpointConnections connections, AuditTrail audit) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    public record Detail(String endpoint, long size, String purpose, String ref) {
        static Detail of(VolumeRecord volume) {
            return new Detail(volume.endpoint(), volume.sizeBytes(), volume.purpose(), volume.driverRef());
        }
    }

    /** What the audit log keeps of a deleted volume: whether it may have held data, and whether that took --force. */
    public record Deleted(String endpoint, long size, String purpose, String ref, boolean mayHoldData, boolean forced) {}

    public VolumeRecord create(CreateVolume request, Actor actor) {
        if (request.sizeBytes() <= 0) {
            throw new IllegalArgumentException("Volume '" + request.name() + "': the size must be positive, not " + request.sizeBytes());
        }
        if (inventory.volume(request.name()).isPresent()) {
            throw new InventoryConflictException("A volume named '" + request.name() + "' already exists");
        }
        inventory.endpoint(request.endpoint()).orElseThrow(() -> new NotInInventoryException("endpoint", request.endpoint()));
        HypervisorDriver driver = connections.driver(request.endpoint());
        VolumeRef ref = driver.createVolume(new VolumeSpec(request.name(), request.sizeBytes(), request.purpose(), request.properties()));
        VolumeRecord volume = new VolumeRecord(request.name(), request.endpoint(), ref.id(), request.sizeBytes(), request.purpose());
        try {
            inventory.addVolume(volume);
        } catch (RuntimeException e) {
            driver.deleteVolume(ref); // it was created empty a moment ago: no data is lost
            throw e;
        }
        audit.created(actor, "volume.create", "volume/" + volume.name(), Detail.of(volume));
        return volume;
    }

    public List<VolumeRecord> list() {
        return inventory.volumes();
    }

    public VolumeView show(String name) {
        VolumeRecord volume = inventory.volume(name).orElseThrow(() -> new NotInInventoryException("volume", name));
        List<String> linkers = new Placement(inventory).linkers(name);
        return new VolumeView(volume, linkers.stream().findFirst(), inventory.volumeFirstLinked(name));
    }

    /**
     * Deletes a volume no VM links, on its endpoint and from the inventory. One that may hold data
     * (a VM has linked it) is deleted only with {@code force}, and the audit log says so. A volume
     * already gone from the platform is only forgotten, so deleting again finishes a delete that
     * stopped half-way.
     */
    public VolumeView delete(String name, boolean force, Actor actor) {
        VolumeView view = show(name);
        if (view.linkedBy().isPresent()) {
            throw new InventoryConflictException("Volume '" + name + "' is linked by VM '" + view.linkedBy().get()
                    + "'; delete that VM first (its volumes stay)");
        }
        if (view.mayHoldData() && !force) {
            throw new InventoryConflictException("Volume '" + name + "' may hold data (a VM linked it on " + view.firstLinked().get()
                    + "); deleting it destroys that data: add --force to delete it anyway (audited)");
        }
        VolumeRecord volume = view.volume();
        try {
            connections.driver(volume.endpoint()).deleteVolume(new VolumeRef(volume.driverRef(), volume.name()));
        } catch (ObjectNotFoundException gone) {
            // already deleted on the platform: only the inventory still names it
        }
        inventory.removeVolume(name);
        audit.record(actor, view.mayHoldData() ? "volume.delete.forced" : "volume.delete", "volume/" + name,
                Optional.of(new Deleted(volume.endpoint(), volume.sizeBytes(), volume.purpose(), volume.driverRef(), view.mayHoldData(),
                        force)), Optional.empty());
        return view;
    }
}
