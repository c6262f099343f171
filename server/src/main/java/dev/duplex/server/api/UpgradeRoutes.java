package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import dev.duplex.server.jobs.JobRunner;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code POST /api/v1/pairs/{name}/upgrades}: an upgrade run as a job, answered 202 with the job's location. */
public final class UpgradeRoutes {
    private final Inventory inventory;
    private final JobRunner runner;
    private final ObjectMapper json;

    public UpgradeRoutes(Inventory inventory, JobRunner runner, ObjectMapper json) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.json = requireNonNull(json, "json is null");
    }

    /**
     * The request body.
     *
     * @param image the new image for both members (or system 0's)
     * @param image1 system 1's new image, when its endpoint differs
     * @param strategy link (default), copy-at-boot or snapshot-copy
     */
    record UpgradeBody(String image, String image1, String strategy) {}

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/pairs/{name}/upgrades", this::run, Access.OPERATOR);
    }

    private void run(Context ctx) {
        String name = ctx.pathParam("name");
        String pair = inventory.pair(name).orElseThrow(() -> new dev.duplex.engine.inventory.NotInInventoryException("pair", name)).name();
        UpgradeBody body = body(ctx);
        if (body.image() == null || body.image().isBlank()) {
            throw new ApiException(ProblemType.VALIDATION, "The upgrade of pair '" + pair + "' names no new image; send {\"image\": \"NAME\"}");
        }
        UpgradeRequest request = new UpgradeRequest(pair, body.image(), body.image1() == null ? body.image() : body.image1(),
                UpgradeStrategy.parse(body.strategy() == null ? "link" : body.strategy()), BearerAuthentication.holder(ctx).actor());
        JobRoutes.accepted(ctx, runner.startUpgrade(request));
    }

    private UpgradeBody body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw new ApiException(ProblemType.VALIDATION, "The upgrade request has no body; send {\"image\": \"NAME\", \"strategy\": \"link\"}");
        }
        try {
            UpgradeBody body = json.readValue(text, UpgradeBody.class);
            if (body == null) {
                throw new ApiException(ProblemType.VALIDATION, "The upgrade request's body is null; send {\"image\": \"NAME\"}");
            }
            return body;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(ProblemType.VALIDATION, "The upgrade request's body is not the expected JSON (" + e.getOriginalMessage()
                    + "); send {\"image\": \"NAME\", \"image1\": \"NAME\" (optional), \"strategy\": \"link|copy-at-boot|snapshot-copy\"}");
        }
    }
}
