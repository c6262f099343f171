package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.EndpointService;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.RegisterImage;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VolumeService;
import dev.duplex.persistence.JdbiInventoryVersion;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Endpoints, images, volumes, VMs and pairs: each handler parses, calls one method of the engine's
 * service for the area, and renders. Admins manage endpoints; operators the rest; viewers read.
 * Every change is audited by the service under the token's name.
 */
public final class InventoryRoutes {
    private final EndpointService endpoints;
    private final ImageService images;
    private final VolumeService volumes;
    private final VmService vms;
    private final PairService pairs;
    private final JdbiInventoryVersion inventoryVersion;
    private RequestBodies bodies;
    private RenderedLists lists;

    @Inject
    public InventoryRoutes(EndpointService endpoints, ImageService images, VolumeService volumes, VmService vms, PairService pairs,
            JdbiInventoryVersion inventoryVersion) {
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
        this.images = requireNonNull(images, "images is null");
        this.volumes = requireNonNull(volumes, "volumes is null");
        this.vms = requireNonNull(vms, "vms is null");
        this.pairs = requireNonNull(pairs, "pairs is null");
        this.inventoryVersion = requireNonNull(inventoryVersion, "inventoryVersion is null");
    }

    /** {@code POST /api/v1/endpoints}. */
    record EndpointBody(String name, String driver, String uri, String credentialFile, Map<String, String> properties) {}

    /** {@code POST /api/v1/images}: {@code source} is where the driver reads the image from (for the local driver, a folder). */
    record ImageBody(String name, String endpoint, String version, String source, Map<String, String> properties) {}

    /** {@code POST /api/v1/volumes}. */
    record VolumeBody(String name, String endpoint, Long sizeBytes, String purpose, Map<String, String> properties) {}

    /** One volume link of a new VM; {@code mode} is mount-at-boot (default) or copy-at-boot. */
    record LinkBody(String volume, String mountPath, String mode) {}

    /** {@code POST /api/v1/vms}. */
    record VmBody(String name, String endpoint, String image, List<LinkBody> links, Map<String, String> properties) {}

    /** {@code POST /api/v1/pairs}; {@code standby} is hot (default) or cold. */
    record PairBody(String name, String system0, String system1, Integer activeSystem, String standby, Map<String, String> roleController,
            Map<String, String> resyncGate) {}

    private static final String ENDPOINT_EXAMPLE = "{\"name\": \"lab\", \"driver\": \"local\", \"uri\": \"local:\" (optional for local),"
            + " \"credentialFile\": \"/etc/duplex/lab.secret\" (optional), \"properties\": {} (optional)}";
    private static final String IMAGE_EXAMPLE = "{\"name\": \"kv-v2\", \"endpoint\": \"lab\", \"version\": \"v2\", \"source\": \"/srv/images/v2\","
            + " \"properties\": {} (optional)}";
    private static final String VOLUME_EXAMPLE = "{\"name\": \"kv-db0\", \"endpoint\": \"lab\", \"sizeBytes\": 1048576, \"purpose\": \"database\","
            + " \"properties\": {} (optional)}";
    private static final String VM_EXAMPLE = "{\"name\": \"kv-0\", \"endpoint\": \"lab\", \"image\": \"kv-v1\", \"links\": [{\"volume\": \"kv-db0\","
            + " \"mountPath\": \"db\", \"mode\": \"mount-at-boot\"}], \"properties\": {} (optional)}";
    private static final String PAIR_EXAMPLE = "{\"name\": \"kv\", \"system0\": \"kv-0\", \"system1\": \"kv-1\", \"activeSystem\": 0,"
            + " \"standby\": \"hot\", \"roleController\": {\"type\": \"http\"}, \"resyncGate\": {} (optional)}";

    /** Registers the routes; {@code json} is the server's strict mapper, which refuses unknown fields. */
    public void register(RoutesConfig routes, ObjectMapper json) {
        this.bodies = new RequestBodies(json);
        // The lists of inventory rows alone are kept rendered per inventory version; the VM list is not: it shows live power states.
        this.lists = new RenderedLists(inventoryVersion::current, json);
        routes.get("/api/v1/endpoints", ctx -> lists.answer(ctx, "endpoints", () -> endpoints.list().stream().map(Views.EndpointView::of).toList()),
                Access.VIEWER);
        routes.get("/api/v1/endpoints/{name}", ctx -> ctx.json(Views.EndpointView.of(endpoints.show(ctx.pathParam("name")))), Access.VIEWER);
        routes.post("/api/v1/endpoints", this::addEndpoint, Access.ADMIN);
        routes.delete("/api/v1/endpoints/{name}", ctx -> {
            endpoints.remove(ctx.pathParam("name"), actor(ctx));
            ctx.status(204);
        }, Access.ADMIN);

        routes.get("/api/v1/images", ctx -> lists.answer(ctx, "images", images::list), Access.VIEWER);
        routes.get("/api/v1/images/{name}", ctx -> ctx.json(images.show(ctx.pathParam("name"))), Access.VIEWER);
        routes.post("/api/v1/images", this::registerImage, Access.OPERATOR);
        routes.delete("/api/v1/images/{name}", ctx -> {
            images.delete(ctx.pathParam("name"), actor(ctx));
            ctx.status(204);
        }, Access.OPERATOR);

        routes.get("/api/v1/volumes", ctx -> lists.answer(ctx, "volumes", volumes::list), Access.VIEWER);
        routes.get("/api/v1/volumes/{name}", ctx -> ctx.json(Views.VolumeDetail.of(volumes.show(ctx.pathParam("name")))), Access.VIEWER);
        routes.post("/api/v1/volumes", this::createVolume, Access.OPERATOR);
        routes.delete("/api/v1/volumes/{name}", ctx -> {
            // force: a volume that may hold data is deleted anyway; the service audits that it was forced
            volumes.delete(ctx.pathParam("name"), RequestBodies.flag(ctx, "force"), actor(ctx));
            ctx.status(204);
        }, Access.OPERATOR);

        routes.get("/api/v1/vms", ctx -> ctx.json(vms.list().stream().map(Views.VmView::of).toList()), Access.VIEWER);
        routes.get("/api/v1/vms/{name}", ctx -> ctx.json(Views.VmView.of(vms.show(ctx.pathParam("name")))), Access.VIEWER);
        routes.post("/api/v1/vms", this::createVm, Access.OPERATOR);
        routes.post("/api/v1/vms/{name}/start", ctx -> {
            var report = vms.start(ctx.pathParam("name"), RequestBodies.flag(ctx, "force"), actor(ctx));
            ctx.json(new Views.Started(ctx.pathParam("name"), report.bytesCopied(), report.copyTime().toMillis()));
        }, Access.OPERATOR);
        routes.post("/api/v1/vms/{name}/stop", ctx -> {
            vms.stop(ctx.pathParam("name"), RequestBodies.flag(ctx, "force"), actor(ctx));
            ctx.status(204);
        }, Access.OPERATOR);
        routes.delete("/api/v1/vms/{name}", ctx -> {
            vms.delete(ctx.pathParam("name"), actor(ctx));
            ctx.status(204);
        }, Access.OPERATOR);

        routes.get("/api/v1/pairs", ctx -> lists.answer(ctx, "pairs", () -> pairs.list().stream().map(Views.PairView::of).toList()), Access.VIEWER);
        routes.get("/api/v1/pairs/{name}", ctx -> ctx.json(Views.PairView.of(pairs.show(ctx.pathParam("name")))), Access.VIEWER);
        routes.post("/api/v1/pairs", this::createPair, Access.OPERATOR);
        routes.delete("/api/v1/pairs/{name}", ctx -> {
            pairs.delete(ctx.pathParam("name"), actor(ctx));
            ctx.status(204);
        }, Access.OPERATOR);
    }

    private void addEndpoint(Context ctx) {
        String what = "The new endpoint";
        EndpointBody body = bodies.read(ctx, EndpointBody.class, what, ENDPOINT_EXAMPLE);
        var endpoint = endpoints.add(new AddEndpoint(RequestBodies.required(body.name(), "name", what),
                RequestBodies.required(body.driver(), "driver", what), Optional.ofNullable(body.uri()), Optional.ofNullable(body.credentialFile()),
                RequestBodies.map(body.properties(), "properties", what)), actor(ctx));
        created(ctx, "/api/v1/endpoints/" + endpoint.name()).json(Views.EndpointView.of(endpoint));
    }

    private void registerImage(Context ctx) {
        String what = "The new image";
        ImageBody body = bodies.read(ctx, ImageBody.class, what, IMAGE_EXAMPLE);
        var image = images.register(new RegisterImage(RequestBodies.required(body.name(), "name", what),
                RequestBodies.required(body.endpoint(), "endpoint", what), RequestBodies.required(body.version(), "version", what),
                RequestBodies.required(body.source(), "source", what), RequestBodies.map(body.properties(), "properties", what)), actor(ctx));
        created(ctx, "/api/v1/images/" + image.name()).json(image);
    }

    private void createVolume(Context ctx) {
        String what = "The new volume";
        VolumeBody body = bodies.read(ctx, VolumeBody.class, what, VOLUME_EXAMPLE);
        long size = RequestBodies.required(body.sizeBytes(), "sizeBytes", what);
        if (size <= 0) {
            throw new ApiException(ProblemType.VALIDATION, what + ": field 'sizeBytes' must be positive, not " + size);
        }
        var volume = volumes.create(new CreateVolume(RequestBodies.required(body.name(), "name", what),
                RequestBodies.required(body.endpoint(), "endpoint", what), size, RequestBodies.required(body.purpose(), "purpose", what),
                RequestBodies.map(body.properties(), "properties", what)), actor(ctx));
        created(ctx, "/api/v1/volumes/" + volume.name()).json(volume);
    }

    private void createVm(Context ctx) {
        String what = "The new VM";
        VmBody body = bodies.read(ctx, VmBody.class, what, VM_EXAMPLE);
        List<LinkRecord> links = new ArrayList<>();
        List<LinkBody> given = body.links() == null ? List.of() : body.links();
        for (int i = 0; i < given.size(); i++) {
            LinkBody link = RequestBodies.required(given.get(i), "links[" + i + "]", what);
            links.add(new LinkRecord(RequestBodies.required(link.volume(), "links[" + i + "].volume", what),
                    RequestBodies.required(link.mountPath(), "links[" + i + "].mountPath", what), mode(link.mode(), "links[" + i + "].mode", what)));
        }
        var vm = vms.create(new CreateVm(RequestBodies.required(body.name(), "name", what), RequestBodies.required(body.endpoint(), "endpoint", what),
                RequestBodies.required(body.image(), "image", what), links, RequestBodies.map(body.properties(), "properties", what)), actor(ctx));
        created(ctx, "/api/v1/vms/" + vm.name()).json(Views.VmView.of(vms.show(vm.name())));
    }

    private void createPair(Context ctx) {
        String what = "The new pair";
        PairBody body = bodies.read(ctx, PairBody.class, what, PAIR_EXAMPLE);
        var pair = pairs.create(new CreatePair(RequestBodies.required(body.name(), "name", what),
                RequestBodies.required(body.system0(), "system0", what), RequestBodies.required(body.system1(), "system1", what),
                body.activeSystem() == null ? 0 : body.activeSystem(), standby(body.standby(), what),
                RequestBodies.map(body.roleController(), "roleController", what), RequestBodies.map(body.resyncGate(), "resyncGate", what)),
                actor(ctx));
        created(ctx, "/api/v1/pairs/" + pair.name()).json(Views.PairView.of(pair));
    }

    private static VolumeLink.Mode mode(String text, String field, String what) {
        if (text == null) {
            return VolumeLink.Mode.MOUNT_AT_BOOT;
        }
        for (VolumeLink.Mode mode : VolumeLink.Mode.values()) {
            if (mode.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(text)) {
                return mode;
            }
        }
        throw new ApiException(ProblemType.VALIDATION, what + ": field '" + field + "' is mount-at-boot or copy-at-boot, not '"
                + dev.duplex.api.VisibleText.escape(text) + "'");
    }

    private static StandbyKind standby(String text, String what) {
        if (text == null || text.equals("hot")) {
            return StandbyKind.HOT;
        }
        if (text.equals("cold")) {
            return StandbyKind.COLD;
        }
        throw new ApiException(ProblemType.VALIDATION, what + ": field 'standby' is hot or cold, not '" + dev.duplex.api.VisibleText.escape(text) + "'");
    }

    static Actor actor(Context ctx) {
        return new Actor(BearerAuthentication.holder(ctx).actor());
    }

    static Context created(Context ctx, String location) {
        return ctx.status(201).header("Location", location);
    }
}
