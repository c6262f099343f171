package dev.duplex.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.service.JobDetail;
import dev.duplex.engine.service.JobService;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link JobService} through a Duplex server: {@code GET /api/v1/jobs} and {@code /api/v1/jobs/{id}},
 * the API's own job views (the ones every client reads), turned back into the engine's values.
 */
public final class HttpJobService implements JobService {
    private final ServerConnection server;

    public HttpJobService(ServerConnection server) {
        this.server = requireNonNull(server, "server is null");
    }

    /** A job as {@code /api/v1/jobs} shows it; fields a client does not need (its links) are ignored. */
    record JobView(long id, String kind, String target, String state, String requestedBy, Map<String, String> parameters, String owner,
            String heartbeat, String error, String createdAt, String startedAt, String finishedAt) {
        JobEntry entry() {
            Job job = new Job(id, kind, target, JobState.valueOf(state), requestedBy, parameters == null ? Map.of() : parameters,
                    Optional.ofNullable(owner), instant(heartbeat), Optional.ofNullable(error));
            return new JobEntry(job, Instant.parse(createdAt), instant(startedAt), instant(finishedAt));
        }
    }

    /** One step of a job's journal as {@code /api/v1/jobs/{id}} shows it. */
    record StepView(String step, String state, String startedAt, String endedAt, String error, Map<String, String> outputs) {
        StepRecord record(long jobId) {
            return new StepRecord(jobId, step, StepState.valueOf(state), Instant.parse(startedAt), instant(endedAt), Optional.ofNullable(error),
                    outputs == null ? Map.of() : outputs);
        }
    }

    /** {@code GET /api/v1/jobs/{id}}: the job and its steps. */
    record DetailView(JobView job, List<StepView> steps) {}

    @Override
    public List<JobEntry> list(int limit) {
        return Arrays.stream(server.get("/api/v1/jobs?limit=" + limit, JobView[].class)).map(JobView::entry).toList();
    }

    @Override
    public JobDetail show(long id) {
        DetailView detail = server.get("/api/v1/jobs/" + id, DetailView.class);
        List<StepView> steps = detail.steps() == null ? List.of() : detail.steps();
        return new JobDetail(detail.job().entry(), steps.stream().map(step -> step.record(detail.job().id())).toList());
    }

    private static Optional<Instant> instant(String text) {
        return Optional.ofNullable(text).map(Instant::parse);
    }
}
