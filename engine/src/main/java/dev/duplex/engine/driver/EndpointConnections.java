package dev.duplex.engine.driver;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.SecretFile;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one driver connection per endpoint, on first use, and closes them all at the end.
 * Each endpoint gets a private work folder under {@code <duplex home>/drivers/<endpoint>}.
 */
public final class EndpointConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointConnections.class);

    private final Inventory inventory;
    private final DriverRegistry registry;
    private final Path driversHome;
    private final Map<String, HypervisorDriver> open = new LinkedHashMap<>();

    public EndpointConnections(Inventory inventory, DriverRegistry registry, Path driversHome) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.driversHome = requireNonNull(driversHome, "driversHome is null");
    }

    /** The connected driver of an endpoint in the inventory. */
    public synchronized HypervisorDriver driver(String endpointName) {
        HypervisorDriver driver = open.get(endpointName);
        if (driver == null) {
            Endpoint endpoint = inventory.endpoint(endpointName)
                    .orElseThrow(() -> new NotInInventoryException("endpoint", endpointName));
            driver = connect(endpoint);
            open.put(endpointName, driver);
        }
        return driver;
    }

    /** Connects to an endpoint that need not be in the inventory yet (to check it before adding it). */
    public HypervisorDriver connect(Endpoint endpoint) {
        var installed = registry.require(endpoint.driverKind());
        // Checked before any driver sees it, so no driver can use a secret other users can read.
        endpoint.credentialFile().ifPresent(file -> new SecretFile(Path.of(file),
                "The credential file of endpoint '" + endpoint.name() + "'").check());
        var config = new DriverConfig(endpoint.name(), endpoint.uri(), endpoint.properties(),
                endpoint.credentialFile().map(Path::of), workDirectory(endpoint.name()));
        log.debug("Connecting to endpoint {} ({}) with the {} driver", endpoint.name(), config.redactedUri(), endpoint.driverKind());
        HypervisorDriver driver = PluginContext.wrap(dev.duplex.api.DriverProvider.class, installed.provider()).connect(config);
        return DriverCalls.logged(HypervisorDriver.class, PluginContext.wrap(HypervisorDriver.class, driver), endpoint.name());
    }

    /** The folder an endpoint's driver may keep state in. */
    public Path workDirectory(String endpointName) {
        return driversHome.resolve(endpointName);
    }

    public Optional<HypervisorDriver> ifOpen(String endpointName) {
        synchronized (this) {
            return Optional.ofNullable(open.get(endpointName));
        }
    }

    @Override
    public synchronized void close() {
        for (var entry : open.entrySet()) {
            try {
                entry.getValue().close();
            } catch (RuntimeException e) {
                log.warn("Closing the connection to endpoint {} failed: {}", entry.getKey(), e.getMessage());
            }
        }
        open.clear();
    }
}
