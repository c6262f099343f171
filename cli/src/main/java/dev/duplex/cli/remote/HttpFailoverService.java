package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.failover.FailoverPlan;
import dev.duplex.engine.fleet.MemberPlace;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.service.FailoverService;
import dev.duplex.engine.upgrade.UpgradeListener;
import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.envsync.SyncPath;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@link FailoverService} through a Duplex server: the failover is a job there; this waits for its end and reads its report. */
public final class HttpFailoverService implements FailoverService {
    private final ServerConnection server;
    private final JobEventStream events;

    public HttpFailoverService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
        this.events = new JobEventStream(server);
    }

    @Override
    public FailoverReport failover(String pair, boolean force, boolean fullWrite, Actor actor, UpgradeListener progress) {
        long job = server.post(path(pair), Map.of("full", fullWrite, "dryRun", false, "force", force)).path("job").asLong();
        events.follow(job, progress);
        return server.get("/api/v1/jobs/" + job + "/report", FailoverReport.class);
    }

    /** The route answers a dry run with its own view of the plan (sync times in whole milliseconds); read back into the engine's plan. */
    @Override
    public FailoverPlan plan(String pair, boolean fullWrite) {
        JsonNode view = server.post(path(pair), Map.of("full", fullWrite, "dryRun", true));
        JsonNode sync = view.path("sync");
        SyncDecision decision = new SyncDecision(SyncPath.valueOf(sync.path("chosen").asText()), millis(sync.get("predictedDiffMs")),
                millis(sync.get("predictedFullMs")), sync.path("reason").asText());
        return new FailoverPlan(view.path("pair").asText(), view.path("fence").asText(), view.path("start").asText(),
                revision(sync.get("fromRevision")), revision(sync.get("toRevision")), decision, place(view.path("fenceAt"), view.path("fence")),
                place(view.path("startAt"), view.path("start")));
    }

    private static MemberPlace place(JsonNode at, JsonNode vm) {
        return new MemberPlace(at.path("system").asInt(), vm.asText(), at.path("endpoint").asText(), at.path("driver").asText());
    }

    private static Optional<Duration> millis(JsonNode value) {
        return value == null || value.isNull() ? Optional.empty() : Optional.of(Duration.ofMillis(value.asLong()));
    }

    private static Optional<Long> revision(JsonNode value) {
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asLong());
    }

    private static String path(String pair) {
        return "/api/v1/pairs/" + ServerConnection.segment(pair) + "/failover";
    }
}
