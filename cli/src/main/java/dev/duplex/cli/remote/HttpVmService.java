package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.api.BootReport;
import dev.duplex.api.VmRef;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VmStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link VmService} through a Duplex server. */
public final class HttpVmService implements VmService {
    private final ServerConnection server;

    public HttpVmService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public VmRecord create(CreateVm request, Actor actor) {
        List<Map<String, String>> links = new ArrayList<>();
        for (LinkRecord link : request.links()) {
            links.add(Map.of("volume", link.volume(), "mountPath", link.mountPath(), "mode",
                    link.mode().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", request.name());
        body.put("endpoint", request.endpoint());
        body.put("image", request.image());
        body.put("links", links);
        body.put("properties", request.properties());
        return status(server.post("/api/v1/vms", body)).vm();
    }

    @Override
    public List<VmStatus> list() {
        List<VmStatus> vms = new ArrayList<>();
        server.get("/api/v1/vms").forEach(node -> vms.add(status(node)));
        return vms;
    }

    @Override
    public VmStatus show(String name) {
        return status(server.get("/api/v1/vms/" + ServerConnection.segment(name)));
    }

    @Override
    public BootReport start(String name, boolean force, Actor actor) {
        JsonNode started = server.post("/api/v1/vms/" + ServerConnection.segment(name) + "/start?force=" + force, Map.of());
        VmRecord vm = show(name).vm();
        return new BootReport(new VmRef(vm.driverRef(), vm.name()), started.path("bytesCopied").asLong(),
                Duration.ofMillis(started.path("copyMillis").asLong()));
    }

    @Override
    public void stop(String name, boolean force, Actor actor) {
        server.post("/api/v1/vms/" + ServerConnection.segment(name) + "/stop?force=" + force, Map.of());
    }

    @Override
    public VmRecord delete(String name, Actor actor) {
        VmRecord vm = show(name).vm();
        server.delete("/api/v1/vms/" + ServerConnection.segment(name));
        return vm;
    }

    /** The server's view of a VM: the record (secrets in its properties redacted there) and the state its platform reports. */
    private VmStatus status(JsonNode node) {
        List<LinkRecord> links = new ArrayList<>();
        node.path("links").forEach(link -> links.add(server.convert(link, LinkRecord.class)));
        Map<String, String> properties = new LinkedHashMap<>();
        node.path("properties").fields().forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
        VmRecord vm = new VmRecord(node.path("name").asText(), node.path("endpoint").asText(), node.path("driverRef").asText(),
                node.path("image").asText(), links, properties);
        return new VmStatus(vm, node.path("state").asText(), HttpVolumeService.text(node, "pair"));
    }
}
