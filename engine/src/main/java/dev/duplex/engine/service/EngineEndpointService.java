package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.Redaction;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Endpoints: the platforms Duplex drives. */
public final class EngineEndpointService implements EndpointService {
    private final Inventory inventory;
    private final EndpointConnections connections;
    private final AuditTrail audit;

    @Inject
    public EngineEndpointService(Inventory inventory, EndpointConnections connections, AuditTrail audit) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    /** What the audit log keeps of an endpoint: never a secret. */
    public record Detail(String driver, String uri) {
        static Detail of(Endpoint endpoint) {
            return new Detail(endpoint.driverKind(), Redaction.redactUri(endpoint.uri()));
        }
    }

    /** Adds an endpoint after its driver connected to it once, so a typo in the URI is found now, not during an upgrade. */
    public Endpoint add(AddEndpoint request, Actor actor) {
        String uri = request.uri().orElseGet(() -> {
            if (!request.driverKind().equals("local")) {
                throw new IllegalArgumentException("Endpoint '" + request.name() + "': a URI is required for the " + request.driverKind()
                        + " driver (--uri); only the local driver has a default");
            }
            return "local:";
        });
        request.credentialFile().filter(file -> !Path.of(file).isAbsolute()).ifPresent(file -> {
            throw new IllegalArgumentException("Endpoint '" + request.name() + "': the credential file must be an absolute path, not '"
                    + file + "'");
        });
        if (inventory.endpoint(request.name()).isPresent()) {
            throw new InventoryConflictException("An endpoint named '" + request.name() + "' already exists; pick another name or remove it first");
        }
        Endpoint endpoint = new Endpoint(request.name(), request.driverKind(), uri, request.credentialFile(), request.properties());
        try (HypervisorDriver connection = connections.connect(endpoint)) {
            connection.capabilities();
        }
        inventory.addEndpoint(endpoint);
        audit.created(actor, "endpoint.add", "endpoint/" + endpoint.name(), Detail.of(endpoint));
        return endpoint;
    }

    public List<Endpoint> list() {
        return inventory.endpoints();
    }

    public Endpoint show(String name) {
        return inventory.endpoint(name).orElseThrow(() -> new NotInInventoryException("endpoint", name));
    }

    /** Removes an endpoint no image, volume or VM uses; a refusal names all of them. */
    public Endpoint remove(String name, Actor actor) {
        Endpoint endpoint = show(name);
        List<String> users = new ArrayList<>();
        users(users, "images", inventory.images().stream().filter(i -> i.endpoint().equals(name)).map(ImageRecord::name).toList());
        users(users, "volumes", inventory.volumes().stream().filter(v -> v.endpoint().equals(name)).map(VolumeRecord::name).toList());
        users(users, "VMs", inventory.vms().stream().filter(v -> v.endpoint().equals(name)).map(VmRecord::name).toList());
        if (!users.isEmpty()) {
            throw new InventoryConflictException("Endpoint '" + name + "' is still used by " + String.join(", ", users) + "; delete those first");
        }
        inventory.removeEndpoint(name);
        audit.record(actor, "endpoint.remove", "endpoint/" + name, Optional.of(Detail.of(endpoint)), Optional.empty());
        return endpoint;
    }

    static void users(List<String> into, String kind, List<String> names) {
        if (!names.isEmpty()) {
            into.add(kind + " " + String.join(", ", names.stream().map(n -> "'" + n + "'").toList()));
        }
    }
}
