package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.duplex.engine.failover.Failover;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.service.UpgradeService;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine's own result values, for a client that renders them as the CLI does in-process: a
 * job's report, a pair's latest upgrade, an upgrade's plan (the job history is {@link JobRoutes}':
 * one job view that every client reads). They are the engine's records serialised by Jackson
 * (Optional, Instant and Duration included), so the CLI's remote transport reads back exactly
 * what the in-process service returns.
 */
public final class ReportRoutes {
    /** The mapper for engine values; the CLI's {@code ServerConnection.mapper()} reads them. */
    static final ObjectMapper VALUES = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule());

    private final UpgradeService upgrades;
    private final JobQueue jobs;
    private final java.util.function.LongFunction<dev.duplex.engine.failover.FailoverReport> failoverReports;
    private RequestBodies bodies;

    public ReportRoutes(UpgradeService upgrades, JobQueue jobs,
            java.util.function.LongFunction<dev.duplex.engine.failover.FailoverReport> failoverReports) {
        this.upgrades = requireNonNull(upgrades, "upgrades is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.failoverReports = requireNonNull(failoverReports, "failoverReports is null");
    }

    /** {@code POST /api/v1/pairs/{name}/upgrades/plan}: the body of an upgrade. */
    record PlanBody(String image, String image1, String strategy) {}

    private static final String PLAN_EXAMPLE = "{\"image\": \"kv-2\", \"image1\": \"kv-2\" (optional), \"strategy\": \"link\" (optional)}";

    public void register(RoutesConfig routes, ObjectMapper json) {
        this.bodies = new RequestBodies(json);
        routes.get("/api/v1/jobs/{id}/report", this::report, Access.VIEWER);
        routes.get("/api/v1/pairs/{name}/upgrades/latest", ctx -> value(ctx, upgrades.latest(ctx.pathParam("name"))), Access.VIEWER);
        routes.post("/api/v1/pairs/{name}/upgrades/plan", this::plan, Access.VIEWER);
    }

    /** An upgrade's or rollback's report from its journal; a failover's as the node that ran it kept it. */
    private void report(Context ctx) {
        long id = JobRoutes.jobId(ctx.pathParam("id"));
        Job job = jobs.job(id).orElseThrow(() -> new NotInInventoryException("job", "#" + id));
        if (job.kind().equals(Failover.JOB_KIND)) {
            value(ctx, failoverReports.apply(id));
        } else {
            value(ctx, upgrades.status(id));
        }
    }

    private void plan(Context ctx) {
        String pair = ctx.pathParam("name");
        PlanBody body = bodies.read(ctx, PlanBody.class, "The upgrade to plan", PLAN_EXAMPLE);
        String image = RequestBodies.required(body.image(), "image", "The upgrade to plan");
        UpgradeRequest request = new UpgradeRequest(pair, image, body.image1() == null ? image : body.image1(),
                UpgradeStrategy.parse(body.strategy() == null ? "link" : body.strategy()), BearerAuthentication.holder(ctx).actor());
        Map<String, Object> answer = new LinkedHashMap<>();
        var nothing = upgrades.nothingToDo(request);
        answer.put("nothingToDo", nothing.orElse(null));
        answer.put("plan", nothing.isPresent() ? null : upgrades.plan(request));
        value(ctx, answer);
    }

    static void value(Context ctx, Object value) {
        try {
            ctx.contentType("application/json").result(VALUES.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }
}
