package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.service.UpgradeService;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradePlan;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@link UpgradeService} through a Duplex server: a run, resume or rollback is a job the server
 * starts (202), followed through its events with the same step lines as in-process. A stop request
 * (Ctrl-C) detaches from the job, which goes on on the server; it is not a cancel.
 */
public final class HttpUpgradeService implements UpgradeService {
    private final ServerConnection server;
    private final JobEventStream events;
    private final PrintWriter err;

    public HttpUpgradeService(ServerConnection server, PrintWriter err) {
        this.server = requireNonNull(server, "server is null");
        this.events = new JobEventStream(server);
        this.err = requireNonNull(err, "err is null");
    }

    @Override
    public Optional<String> nothingToDo(UpgradeRequest request) {
        JsonNode answer = planOf(request);
        return HttpVolumeService.text(answer, "nothingToDo");
    }

    @Override
    public UpgradePlan plan(UpgradeRequest request) {
        JsonNode answer = planOf(request);
        return server.convert(answer.get("plan"), UpgradePlan.class);
    }

    private JsonNode planOf(UpgradeRequest request) {
        return server.post("/api/v1/pairs/" + ServerConnection.segment(request.pair()) + "/upgrades/plan", body(request));
    }

    @Override
    public UpgradeReport run(UpgradeRequest request, UpgradeListener listener) {
        JsonNode accepted = server.post("/api/v1/pairs/" + ServerConnection.segment(request.pair()) + "/upgrades", body(request));
        return followStarted(accepted.path("job").asLong(), listener);
    }

    private static Map<String, String> body(UpgradeRequest request) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("image", request.image0());
        body.put("image1", request.image1());
        body.put("strategy", request.strategy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        return body;
    }

    @Override
    public Optional<String> nothingToDoVm(String vm, String image) {
        throw notThroughServer("upgrade vm");
    }

    @Override
    public UpgradePlan planVm(String vm, String image, UpgradeStrategy strategy) {
        throw notThroughServer("upgrade vm");
    }

    @Override
    public UpgradeReport runVm(String vm, String image, UpgradeStrategy strategy, Actor actor, UpgradeListener listener) {
        throw notThroughServer("upgrade vm");
    }

    @Override
    public dev.duplex.engine.upgrade.UpgradePlan planRollback(long jobId) {
        throw notThroughServer("upgrade rollback --dry-run");
    }

    private ServerProblemException notThroughServer(String command) {
        return new ServerProblemException(0, "'duplex " + command + "' is not available through a server yet (" + server.shownUrl()
                + "); run it on the server's host without --server");
    }

    @Override
    public UpgradeReport resume(long jobId, boolean takeOverNow, UpgradeListener listener) {
        if (takeOverNow) {
            throw new IllegalArgumentException("Job #" + jobId + ": --force is not available through a server; the server takes a job"
                    + " over once its owner's heartbeat is older than duplex.job.stale-after");
        }
        JsonNode accepted = server.post("/api/v1/jobs/" + jobId + "/resume", Map.of());
        return followStarted(accepted.path("job").asLong(), listener);
    }

    @Override
    public UpgradeReport rollback(long jobId, Actor actor, UpgradeListener listener) {
        JsonNode accepted = server.post("/api/v1/jobs/" + jobId + "/rollback", Map.of());
        return followStarted(accepted.path("job").asLong(), listener);
    }

    @Override
    public UpgradeReport status(long jobId) {
        return server.get("/api/v1/jobs/" + jobId + "/report", UpgradeReport.class);
    }

    @Override
    public UpgradeReport follow(long jobId, UpgradeListener listener, Duration pollEvery) {
        events.follow(jobId, listener);
        return status(jobId);
    }

    @Override
    public UpgradeReport latest(String target) {
        return server.get("/api/v1/pairs/" + ServerConnection.segment(target) + "/upgrades/latest", UpgradeReport.class);
    }

    /** Follows a job the server just started; on a stop request, says how to follow it again and hands back its report so far. */
    private UpgradeReport followStarted(long jobId, UpgradeListener listener) {
        if (events.follow(jobId, listener) == JobEventStream.Outcome.DETACHED) {
            err.println("duplex: detached from job #" + jobId + "; it goes on on the server " + server.shownUrl()
                    + "; follow it with 'duplex upgrade status " + jobId + " --watch'");
            err.flush();
        }
        return status(jobId);
    }
}
