package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.Placement;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/** Software images, registered on an endpoint ahead of an upgrade, without the database. */
public final class EngineImageService implements ImageService {
    private final Inventory inventory;
    private final EndpointConnections connections;
    private final AuditTrail audit;

    @Inject
    public EngineImageService(Inventory inventory, EndpointConnections connections, AuditTrail audit) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    public record Detail(String endpoint, String version, String ref) {
        static Detail of(ImageRecord image) {
            return new Detail(image.endpoint(), image.softwareVersion(), image.driverRef());
        }
    }

    public ImageRecord register(RegisterImage request, Actor actor) {
        if (inventory.image(request.name()).isPresent()) {
            throw new InventoryConflictException("An image named '" + request.name() + "' already exists");
        }
        inventory.endpoint(request.endpoint()).orElseThrow(() -> new NotInInventoryException("endpoint", request.endpoint()));
        HypervisorDriver driver = connections.driver(request.endpoint());
        ImageRef ref = driver.registerImage(new ImageSpec(request.name(), request.version(), request.source(), request.properties()));
        ImageRecord image = new ImageRecord(request.name(), request.endpoint(), request.version(), ref.id());
        try {
            inventory.addImage(image);
        } catch (RuntimeException e) {
            driver.deleteImage(ref); // nothing half-created: the platform forgets it too
            throw e;
        }
        audit.created(actor, "image.register", "image/" + image.name(), Detail.of(image));
        return image;
    }

    public List<ImageRecord> list() {
        return inventory.images();
    }

    public ImageRecord show(String name) {
        return inventory.image(name).orElseThrow(() -> new NotInInventoryException("image", name));
    }

    /**
     * Deletes an image no VM uses, on its endpoint and from the inventory. An image already gone
     * from the platform (a delete that stopped half-way) is only forgotten, so deleting again finishes it.
     */
    public ImageRecord delete(String name, Actor actor) {
        ImageRecord image = show(name);
        List<String> users = new Placement(inventory).usersOfImage(name);
        if (!users.isEmpty()) {
            throw new InventoryConflictException("Image '" + name + "' is used by VM " + String.join(", ", users.stream().map(u -> "'" + u + "'")
                    .toList()) + "; delete or upgrade those VMs first");
        }
        try {
            connections.driver(image.endpoint()).deleteImage(new ImageRef(image.driverRef(), image.name()));
        } catch (ObjectNotFoundException gone) {
            // already deleted on the platform: only the inventory still names it
        }
        inventory.removeImage(name);
        audit.record(actor, "image.delete", "image/" + name, Optional.of(Detail.of(image)), Optional.empty());
        return image;
    }
}
