package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.server.security.Access;
import io.javalin.config.RoutesConfig;
import java.util.Optional;
import java.util.function.Function;

/**
 * Read-only inventory resources. They read through the engine's inventory port until the
 * inventory service exists; then each handler becomes one call of it.
 */
public final class InventoryRoutes {
    private final Inventory inventory;

    public InventoryRoutes(Inventory inventory) {
        this.inventory = requireNonNull(inventory, "inventory is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/endpoints", ctx -> ctx.json(inventory.endpoints().stream().map(Views.EndpointView::of).toList()), Access.VIEWER);
        routes.get("/api/v1/endpoints/{name}", ctx -> ctx.json(Views.EndpointView.of(
                found("endpoint", ctx.pathParam("name"), inventory::endpoint))), Access.VIEWER);
        routes.get("/api/v1/images", ctx -> ctx.json(inventory.images()), Access.VIEWER);
        routes.get("/api/v1/images/{name}", ctx -> ctx.json(found("image", ctx.pathParam("name"), inventory::image)), Access.VIEWER);
        routes.get("/api/v1/volumes", ctx -> ctx.json(inventory.volumes()), Access.VIEWER);
        routes.get("/api/v1/volumes/{name}", ctx -> ctx.json(found("volume", ctx.pathParam("name"), inventory::volume)), Access.VIEWER);
        routes.get("/api/v1/vms", ctx -> ctx.json(inventory.vms()), Access.VIEWER);
        routes.get("/api/v1/vms/{name}", ctx -> ctx.json(found("VM", ctx.pathParam("name"), inventory::vm)), Access.VIEWER);
        routes.get("/api/v1/pairs", ctx -> ctx.json(inventory.pairs()), Access.VIEWER);
        routes.get("/api/v1/pairs/{name}", ctx -> ctx.json(found("pair", ctx.pathParam("name"), inventory::pair)), Access.VIEWER);
    }

    static <T> T found(String kind, String name, Function<String, Optional<T>> lookup) {
        return lookup.apply(name).orElseThrow(() -> new NotInInventoryException(kind, name));
    }
}
