package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.failover.Failover;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.service.FailoverService;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /api/v1/pairs/{name}/failover}: seed S400 as a job, answered 202 with its location
 * once the job exists (a refusal before that is answered at once, as in-process); with
 * {@code dryRun} the plan, touching nothing. The report of a failover run here is kept for
 * {@code GET /api/v1/jobs/{id}/report}.
 */
@Singleton
public final class FailoverRoutes {
    /** How many finished failovers' reports are kept. */
    private static final int KEPT = 200;
    private static final long WAIT_FOR_JOB_MILLIS = 20;

    private final FailoverService failovers;
    private final JobQueue jobs;
    private final Map<Long, CompletableFuture<FailoverReport>> runs = new LinkedHashMap<>();
    private RequestBodies bodies;

    @Inject
    public FailoverRoutes(FailoverService failovers, JobQueue jobs) {
        this.failovers = requireNonNull(failovers, "failovers is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
    }

    /** The body: {@code full} writes the standby's whole info; {@code force} goes on past an unconfirmed fence. */
    record FailoverBody(Boolean full, Boolean dryRun, Boolean force) {}

    private static final String EXAMPLE = "{\"full\": false, \"dryRun\": false, \"force\": false} (all optional)";

    public void register(RoutesConfig routes, ObjectMapper json) {
        this.bodies = new RequestBodies(json);
        routes.post("/api/v1/pairs/{name}/failover", this::failover, Access.OPERATOR);
    }

    private void failover(Context ctx) throws InterruptedException {
        String pair = ctx.pathParam("name");
        FailoverBody body = ctx.body().isBlank() ? new FailoverBody(null, null, null) : bodies.read(ctx, FailoverBody.class,
                "The failover request", EXAMPLE);
        boolean full = Boolean.TRUE.equals(body.full());
        if (Boolean.TRUE.equals(body.dryRun())) {
            ReportRoutes.value(ctx, failovers.plan(pair, full));
            return;
        }
        Actor actor = new Actor(BearerAuthentication.holder(ctx).actor());
        boolean force = Boolean.TRUE.equals(body.force());
        CompletableFuture<FailoverReport> run = CompletableFuture.supplyAsync(() -> failovers.failover(pair, force, full, actor));
        long job = jobOf(pair, run);
        synchronized (runs) {
            runs.put(job, run);
            while (runs.size() > KEPT) {
                runs.remove(runs.keySet().iterator().next());
            }
        }
        JobRoutes.accepted(ctx, job);
    }

    /** The failover's job once it exists; the refusal, if it was refused before it created one. */
    private long jobOf(String pair, CompletableFuture<FailoverReport> run) throws InterruptedException {
        while (true) {
            if (run.isDone()) {
                return join(run).jobId();
            }
            Optional<Job> live = jobs.liveJob(pair).filter(j -> j.kind().equals(Failover.JOB_KIND));
            if (live.isPresent()) {
                return live.get().id();
            }
            Thread.sleep(WAIT_FOR_JOB_MILLIS);
        }
    }

    /** The report of failover job {@code id} run here, waiting for its end; its failure as the exception the engine threw. */
    FailoverReport report(long id) {
        CompletableFuture<FailoverReport> run;
        synchronized (runs) {
            run = runs.get(id);
        }
        if (run == null) {
            throw new ApiException(ProblemType.NOT_FOUND, "This server has no report of failover job #" + id + ": it keeps those of the"
                    + " failovers it ran; `duplex jobs show " + id + "` shows the journal of any job");
        }
        try {
            return run.get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for failover job #" + id, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("failover job #" + id + " did not end within 10 minutes", e);
        }
    }

    private static FailoverReport join(CompletableFuture<FailoverReport> run) {
        try {
            return run.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }
}
