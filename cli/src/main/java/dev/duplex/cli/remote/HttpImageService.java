package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.RegisterImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@link ImageService} through a Duplex server. The image's source is a path on the server's host. */
public final class HttpImageService implements ImageService {
    private final ServerConnection server;

    public HttpImageService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public ImageRecord register(RegisterImage request, Actor actor) {
        return server.convert(server.post("/api/v1/images", Map.of("name", request.name(), "endpoint", request.endpoint(), "version",
                request.version(), "source", request.source(), "properties", request.properties())), ImageRecord.class);
    }

    @Override
    public List<ImageRecord> list() {
        return Arrays.asList(server.get("/api/v1/images", ImageRecord[].class));
    }

    @Override
    public ImageRecord show(String name) {
        return server.get("/api/v1/images/" + ServerConnection.segment(name), ImageRecord.class);
    }

    @Override
    public ImageRecord delete(String name, Actor actor) {
        ImageRecord image = show(name);
        server.delete("/api/v1/images/" + ServerConnection.segment(name));
        return image;
    }
}
