package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.failover.FailoverPlan;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.service.FailoverService;
import dev.duplex.engine.upgrade.UpgradeListener;
import java.util.Map;

/** {@link FailoverService} through a Duplex server: the failover is a job there; this waits for its end and reads its report. */
public final class HttpFailoverService implements FailoverService {
    private final ServerConnection server;
    private final JobEventStream events;

    public HttpFailoverService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
        this.events = new JobEventStream(server);
    }

    @Override
    public FailoverReport failover(String pair, boolean force, boolean fullWrite, Actor actor) {
        long job = server.post(path(pair), Map.of("full", fullWrite, "dryRun", false, "force", force)).path("job").asLong();
        events.follow(job, UpgradeListener.NONE);
        return server.get("/api/v1/jobs/" + job + "/report", FailoverReport.class);
    }

    @Override
    public FailoverPlan plan(String pair, boolean fullWrite) {
        return server.convert(server.post(path(pair), Map.of("full", fullWrite, "dryRun", true)), FailoverPlan.class);
    }

    private static String path(String pair) {
        return "/api/v1/pairs/" + ServerConnection.segment(pair) + "/failover";
    }
}
