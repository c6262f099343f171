package dev.duplex.engine.upgrade;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.engine.driver.EndpointConnections;

/** The connected driver of an endpoint. {@link EndpointConnections#driver} is one; tests give fakes. */
@FunctionalInterface
public interface Drivers {
    HypervisorDriver driver(String endpoint);

    static Drivers of(EndpointConnections connections) {
        return connections::driver;
    }
}
