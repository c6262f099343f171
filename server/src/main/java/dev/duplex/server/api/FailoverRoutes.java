package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.api.ObjectName;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.failover.FailoverPlan;
import dev.duplex.engine.fleet.MemberPlace;
import dev.duplex.engine.service.EngineFailoverService;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import dev.duplex.server.jobs.JobRunner;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

/**
 * {@code POST /api/v1/pairs/{name}/failover}: a cold pair failed over to its standby as a job,
 * answered 202 with the job's location; with {@code "dryRun": true}, its plan (200), touching nothing.
 */
public final class FailoverRoutes {
    private static final Set<String> FIELDS = Set.of("full", "dryRun", "force");
    private static final String SHAPE = "send {\"full\": true|false, \"dryRun\": true|false, \"force\": true|false}, each optional";

    private final EngineFailoverService failovers;
    private final JobRunner runner;
    private final ObjectMapper json;

    public FailoverRoutes(EngineFailoverService failovers, JobRunner runner, ObjectMapper json) {
        this.failovers = requireNonNull(failovers, "failovers is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.json = requireNonNull(json, "json is null");
    }

    /**
     * The request body.
     *
     * @param full write the standby's whole environment info, whatever the cost model says
     * @param dryRun answer the plan, touching nothing
     * @param force go on when the old active cannot be confirmed off (risking two actives)
     */
    record FailoverBody(boolean full, boolean dryRun, boolean force) {}

    /** The plan of a dry run: which member is fenced and started, and what the sync would write, with why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PlanView(boolean dryRun, String pair, String fence, String start, PlaceView fenceAt, PlaceView startAt, SyncView sync) {
        static PlanView of(FailoverPlan plan) {
            SyncDecision sync = plan.sync();
            return new PlanView(true, plan.pair(), plan.fenced(), plan.started(), PlaceView.of(plan.fencedAt()), PlaceView.of(plan.startedAt()),
                    new SyncView(sync.path().name(), sync.reason(),
                    plan.fromRevision().orElse(null), plan.toRevision().orElse(null), sync.predictedDiff().map(Duration::toMillis).orElse(null),
                    sync.predictedFull().map(Duration::toMillis).orElse(null)));
        }
    }

    /** Where a member runs: the pair's two members may be on different endpoints and drivers. */
    record PlaceView(int system, String endpoint, String driver) {
        static PlaceView of(MemberPlace place) {
            return new PlaceView(place.system(), place.endpoint(), place.driver());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SyncView(String chosen, String reason, Long fromRevision, Long toRevision, Long predictedDiffMs, Long predictedFullMs) {}

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/pairs/{name}/failover", this::failover, Access.OPERATOR);
    }

    private void failover(Context ctx) {
        String pair = ObjectName.check("pair", ctx.pathParam("name"));
        FailoverBody body = body(ctx.body(), pair);
        if (body.dryRun()) {
            ctx.json(PlanView.of(failovers.plan(pair, body.full())));
            return;
        }
        JobRoutes.accepted(ctx, runner.startFailover(pair, body.force(), body.full(), new Actor(BearerAuthentication.holder(ctx).actor())));
    }

    /** The body, read strictly: an object of booleans only (a string "true" or a 1 is refused, not guessed at). */
    FailoverBody body(String text, String pair) {
        if (text == null || text.isBlank()) {
            return new FailoverBody(false, false, false);
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(ProblemType.VALIDATION, "The failover request of pair '" + pair + "' is not JSON ("
                    + e.getOriginalMessage() + "); " + SHAPE);
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(ProblemType.VALIDATION, "The failover request of pair '" + pair + "' is not a JSON object; " + SHAPE);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new ApiException(ProblemType.VALIDATION, "The failover request of pair '" + pair + "' has an unknown field '"
                        + (name.length() > 64 ? name.substring(0, 64) + "..." : name) + "'; " + SHAPE);
            }
            if (!node.get(name).isBoolean()) {
                throw new ApiException(ProblemType.VALIDATION, "The failover request of pair '" + pair + "': '" + name
                        + "' must be true or false, not " + node.get(name).getNodeType().name().toLowerCase(java.util.Locale.ROOT) + "; " + SHAPE);
            }
        }
        return new FailoverBody(node.path("full").asBoolean(false), node.path("dryRun").asBoolean(false),
                node.path("force").asBoolean(false));
    }
}
