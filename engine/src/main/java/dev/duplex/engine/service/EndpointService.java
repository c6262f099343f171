package dev.duplex.engine.service;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.Endpoint;
import java.util.List;

/**
 * Endpoints: the platforms Duplex drives. One interface for both transports: {@link EngineEndpointService}
 * in this process, or the CLI's HTTP client of a server that runs it.
 */
public interface EndpointService {
    /** Adds an endpoint after its driver connected to it once, so a typo in the URI is found now, not during an upgrade. */
    Endpoint add(AddEndpoint request, Actor actor);

    List<Endpoint> list();

    Endpoint show(String name);

    /** Removes an endpoint no image, volume or VM uses; a refusal names all of them. */
    Endpoint remove(String name, Actor actor);
}
