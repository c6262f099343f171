package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.VolumeService;
import dev.duplex.engine.service.VolumeView;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link VolumeService} through a Duplex server. */
public final class HttpVolumeService implements VolumeService {
    private final ServerConnection server;

    public HttpVolumeService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public VolumeRecord create(CreateVolume request, Actor actor) {
        return server.convert(server.post("/api/v1/volumes", Map.of("name", request.name(), "endpoint", request.endpoint(), "sizeBytes",
                request.sizeBytes(), "purpose", request.purpose(), "properties", request.properties())), VolumeRecord.class);
    }

    @Override
    public List<VolumeRecord> list() {
        return Arrays.asList(server.get("/api/v1/volumes", VolumeRecord[].class));
    }

    @Override
    public VolumeView show(String name) {
        JsonNode node = server.get("/api/v1/volumes/" + ServerConnection.segment(name));
        VolumeRecord volume = new VolumeRecord(node.path("name").asText(), node.path("endpoint").asText(), node.path("driverRef").asText(),
                node.path("sizeBytes").asLong(), node.path("purpose").asText());
        return new VolumeView(volume, text(node, "linkedBy"), text(node, "firstLinked").map(Instant::parse));
    }

    @Override
    public VolumeView delete(String name, boolean force, Actor actor) {
        VolumeView view = show(name);
        server.delete("/api/v1/volumes/" + ServerConnection.segment(name) + "?force=" + force);
        return view;
    }

    static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }
}
