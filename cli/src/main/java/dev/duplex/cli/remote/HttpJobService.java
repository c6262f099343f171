package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.service.JobDetail;
import dev.duplex.engine.service.JobService;
import java.util.Arrays;
import java.util.List;

/** {@link JobService} through a Duplex server. */
public final class HttpJobService implements JobService {
    private final ServerConnection server;

    public HttpJobService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public List<JobEntry> list(int limit) {
        return Arrays.asList(server.get("/api/v1/job-history?limit=" + limit, JobEntry[].class));
    }

    @Override
    public JobDetail show(long id) {
        return server.get("/api/v1/job-history/" + id, JobDetail.class);
    }
}
