package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.PairService;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link PairService} through a Duplex server; pairs come back redacted, as the CLI shows them anyway. */
public final class HttpPairService implements PairService {
    private final ServerConnection server;

    public HttpPairService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public PairRecord create(CreatePair request, Actor actor) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", request.name());
        body.put("system0", request.system0());
        body.put("system1", request.system1());
        body.put("activeSystem", request.activeSystem());
        body.put("standby", request.standbyKind().name().toLowerCase(Locale.ROOT));
        body.put("roleController", request.roleController());
        body.put("resyncGate", request.resyncGate());
        return server.convert(server.post("/api/v1/pairs", body), PairRecord.class);
    }

    @Override
    public List<PairRecord> list() {
        return Arrays.asList(server.get("/api/v1/pairs", PairRecord[].class));
    }

    @Override
    public PairRecord show(String name) {
        return server.get("/api/v1/pairs/" + ServerConnection.segment(name), PairRecord.class);
    }

    @Override
    public PairRecord delete(String name, Actor actor) {
        PairRecord pair = show(name);
        server.delete("/api/v1/pairs/" + ServerConnection.segment(name));
        return pair;
    }
}
