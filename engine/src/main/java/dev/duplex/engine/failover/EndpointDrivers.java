package dev.duplex.engine.failover;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.engine.driver.EndpointConnections;

/** The driver connected to an endpoint, by the endpoint's name. */
@FunctionalInterface
public interface EndpointDrivers {
    /** The open connection to {@code endpoint}; throws when it cannot be reached or is not in the inventory. */
    HypervisorDriver driver(String endpoint);

    /** The connections of one process. */
    static EndpointDrivers of(EndpointConnections connections) {
        return connections::driver;
    }
}
