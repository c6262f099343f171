package dev.duplex.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.service.JobDetail;
import dev.duplex.engine.service.JobService;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import dev.duplex.server.jobs.JobCensus;
import dev.duplex.server.jobs.JobEvent;
import dev.duplex.server.jobs.JobEvents;
import dev.duplex.server.jobs.JobRunner;
import dev.duplex.server.security.Access;
import dev.duplex.server.security.BearerAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Jobs: their list, one job with its journal, and its progress as Server-Sent Events. */
public final class JobRoutes {
    /** How often a stream of a job run elsewhere re-reads its journal, and how often a quiet stream sends a keep-alive. */
    private static final long POLL_MILLIS = 1000;
    private static final long KEEP_ALIVE_MILLIS = 15_000;

    private final JobQueue jobs;
    private final JobCensus census;
    private final JobEvents events;
    private final ObjectMapper json;
    private final BooleanSupplier stopping;
    private final JobRunner runner;
    private final JobService history;

    public JobRoutes(JobQueue jobs, JobCensus census, JobEvents events, ObjectMapper json, BooleanSupplier stopping, JobRunner runner,
            JobService history) {
        this.runner = requireNonNull(runner, "runner is null");
        this.history = requireNonNull(history, "history is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.census = requireNonNull(census, "census is null");
        this.events = requireNonNull(events, "events is null");
        this.json = requireNonNull(json, "json is null");
        this.stopping = requireNonNull(stopping, "stopping is null");
    }

    public void register(RoutesConfig routes) {
        // Every kind of job (upgrades, rollbacks, failovers) with its times, from the job history; the one job list every client reads.
        routes.get("/api/v1/jobs", ctx -> ctx.json(history.list(limit(ctx.queryParam("limit"))).stream().map(Views.JobView::of).toList()),
                Access.VIEWER);
        routes.get("/api/v1/jobs/{id}", ctx -> {
            Job job = job(ctx);
            JobDetail detail = history.show(job.id());
            ctx.json(new Views.JobDetail(Views.JobView.of(detail.entry()), detail.journal().stream().map(Views.StepView::of).toList()));
        }, Access.VIEWER);
        routes.get("/api/v1/jobs/{id}/events", this::events, Access.VIEWER);
        // Resume takes over a job whose owner is gone (refused while its heartbeat is fresh); rollback may start a new job.
        routes.post("/api/v1/jobs/{id}/resume", ctx -> accepted(ctx, runner.resume(job(ctx).id())), Access.OPERATOR);
        routes.post("/api/v1/jobs/{id}/rollback", ctx -> accepted(ctx, runner.rollback(job(ctx).id(),
                BearerAuthentication.holder(ctx).actor())), Access.OPERATOR);
    }

    static void accepted(Context ctx, long job) {
        String location = "/api/v1/jobs/" + job;
        ctx.status(202).header("Location", location).json(new Views.Accepted(job, location, location + "/events"));
    }

    private Job job(Context ctx) {
        long id = jobId(ctx.pathParam("id"));
        return jobs.job(id).orElseThrow(() -> new NotInInventoryException("job", "#" + id));
    }

    private static int limit(String text) {
        if (text == null) {
            return JobService.DEFAULT_LIMIT;
        }
        if (!text.matches("-?[0-9]{1,9}")) { // the range itself is the service's rule
            throw new ApiException(ProblemType.VALIDATION, "Query parameter 'limit' is a number of jobs from 1 to 10000, not '"
                    + dev.duplex.api.VisibleText.escape(text) + "'");
        }
        return Integer.parseInt(text);
    }

    static long jobId(String text) {
        if (text == null || !text.matches("[0-9]{1,18}")) {
            throw new ApiException(ProblemType.VALIDATION, "A job is named by its number, not '" + text + "'");
        }
        return Long.parseLong(text);
    }

    private void events(Context ctx) throws Exception {
        Job job = job(ctx);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ApiException(ProblemType.VALIDATION, "Job events are a Server-Sent Events stream; send 'Accept: text/event-stream'");
        }
        long after = lastEventId(ctx.header("Last-Event-ID"));
        new SseHandler(0, client -> {
            try {
                Optional<JobEvents.Subscription> subscription = events.subscribe(job.id(), after);
                if (subscription.isPresent()) {
                    try (JobEvents.Subscription live = subscription.get()) {
                        streamLive(client, live);
                    }
                } else {
                    streamJournal(client, job.id(), after);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                client.close();
            }
        }).handle(ctx);
    }

    private static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        if (!header.strip().matches("[0-9]{1,18}")) {
            throw new ApiException(ProblemType.VALIDATION, "Last-Event-ID must be the number of an event of this stream");
        }
        return Long.parseLong(header.strip());
    }

    /** A job this process runs: its events as they happen. */
    private void streamLive(SseClient client, JobEvents.Subscription subscription) throws InterruptedException {
        long quietSince = System.nanoTime();
        while (!client.terminated() && !stopping.getAsBoolean()) {
            Optional<JobEvent> next = subscription.next(POLL_MILLIS);
            if (next.isPresent()) {
                send(client, next.get());
                quietSince = System.nanoTime();
                if (next.get().ends()) {
                    return;
                }
            } else if (subscription.dropped()) {
                return; // it fell behind; the client reconnects with Last-Event-ID
            } else if (System.nanoTime() - quietSince > KEEP_ALIVE_MILLIS * 1_000_000) {
                client.sendComment("keep-alive");
                quietSince = System.nanoTime();
            }
        }
    }

    /**
     * A job this process does not run (ended, or run by another node): its journal, re-read until the
     * job ends, as the in-process CLI follows one: each step's start once, then its end or failure once
     * (a step run again after a resume has a new start, so new lines). Events are numbered in that
     * order, so a client reconnecting with {@code Last-Event-ID} skips what it had.
     */
    private void streamJournal(SseClient client, long jobId, long after) throws InterruptedException {
        java.util.Set<String> told = new java.util.HashSet<>();
        long id = 0;
        long quietSince = System.nanoTime();
        while (!client.terminated() && !stopping.getAsBoolean()) {
            Job job = jobs.job(jobId).orElseThrow();
            List<StepRecord> journal = jobs.journal(jobId).stream().filter(StepRecord::isStep).toList();
            for (StepRecord line : journal) {
                String run = line.stepId() + "@" + line.startedAt();
                if (told.add(run + " started") && ++id > after) {
                    send(client, new JobEvent(id, "step-started", jobId, line.startedAt().toString(), line.stepId(), null, null, null, null, null,
                            null, null, null, null));
                    quietSince = System.nanoTime();
                }
                if (line.state() != StepState.STARTED && line.endedAt().isPresent() && told.add(run + " ended") && ++id > after) {
                    boolean done = line.state() == StepState.DONE;
                    send(client, new JobEvent(id, done ? "step-ended" : "step-failed", jobId, line.endedAt().get().toString(), line.stepId(),
                            null, null, java.time.Duration.between(line.startedAt(), line.endedAt().get()).toMillis(), line.error().orElse(null),
                            done ? line.outputs() : null, null, null, null, null));
                    quietSince = System.nanoTime();
                }
            }
            if (!job.state().live()) { // read before the journal: every line of an ended job is in it
                send(client, new JobEvent(id + 1, JobEvent.JOB_ENDED, jobId, Instant.now().toString(), null, null, null, null,
                        job.error().orElse(null), null, null, null, null, job.state().name()));
                return;
            }
            if (System.nanoTime() - quietSince > KEEP_ALIVE_MILLIS * 1_000_000) {
                client.sendComment("keep-alive");
                quietSince = System.nanoTime();
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private void send(SseClient client, JobEvent event) {
        try {
            client.sendEvent(event.type(), json.writeValueAsString(event), Long.toString(event.id()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a job event", e);
        }
    }
}
