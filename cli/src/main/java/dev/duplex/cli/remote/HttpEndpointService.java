package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.EndpointService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link EndpointService} through a Duplex server; the actor is the token's name there, not {@code actor}. */
public final class HttpEndpointService implements EndpointService {
    private final ServerConnection server;

    public HttpEndpointService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public Endpoint add(AddEndpoint request, Actor actor) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", request.name());
        body.put("driver", request.driverKind());
        request.uri().ifPresent(uri -> body.put("uri", uri));
        request.credentialFile().ifPresent(file -> body.put("credentialFile", file));
        body.put("properties", request.properties());
        return endpoint(server.post("/api/v1/endpoints", body));
    }

    @Override
    public List<Endpoint> list() {
        List<Endpoint> endpoints = new ArrayList<>();
        server.get("/api/v1/endpoints").forEach(node -> endpoints.add(endpoint(node)));
        return endpoints;
    }

    @Override
    public Endpoint show(String name) {
        return endpoint(server.get("/api/v1/endpoints/" + ServerConnection.segment(name)));
    }

    @Override
    public Endpoint remove(String name, Actor actor) {
        Endpoint endpoint = show(name);
        server.delete("/api/v1/endpoints/" + ServerConnection.segment(name));
        return endpoint;
    }

    /** The server's view of an endpoint: its URI and settings already redacted there. */
    private Endpoint endpoint(JsonNode node) {
        JsonNode file = node.get("credentialFile");
        Map<String, String> properties = new LinkedHashMap<>();
        JsonNode given = node.get("properties");
        if (given != null) {
            given.fields().forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
        }
        return new Endpoint(node.path("name").asText(), node.path("driverKind").asText(), node.path("uri").asText(),
                file == null || file.isNull() ? Optional.empty() : Optional.of(file.asText()), properties);
    }
}
