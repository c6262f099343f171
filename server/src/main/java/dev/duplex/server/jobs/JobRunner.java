package dev.duplex.server.jobs;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.service.EngineFailoverService;
import dev.duplex.engine.service.EngineUpgradeService;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.server.http.ApiException;
import dev.duplex.server.http.ProblemType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the jobs this server was asked for, each on its own thread, publishing their progress to
 * {@link JobEvents} and to {@code observer} (the step-duration metrics). {@link #drain} stops
 * taking new jobs and asks running ones to stop at their next journal point; a job stopped there is
 * handed back PENDING with its journal, for {@code upgrade resume} or another node.
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final EngineUpgradeService upgrades;
    private final EngineFailoverService failovers;
    private final JobEvents events;
    private final UpgradeListener observer;
    private final ExecutorService executor;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
    private final Set<Long> runningIds = ConcurrentHashMap.newKeySet();
    /** The failovers this node ran, by job, the last {@value #FAILOVERS_KEPT}: a failover's report lives only where it ran. */
    private final Map<Long, CompletableFuture<dev.duplex.engine.failover.FailoverReport>> failoverRuns = new java.util.LinkedHashMap<>();
    private static final int FAILOVERS_KEPT = 100;

    public JobRunner(EngineUpgradeService upgrades, EngineFailoverService failovers, JobEvents events, UpgradeListener observer) {
        this.upgrades = requireNonNull(upgrades, "upgrades is null");
        this.failovers = requireNonNull(failovers, "failovers is null");
        this.events = requireNonNull(events, "events is null");
        this.observer = requireNonNull(observer, "observer is null");
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "duplex-job-" + threads.incrementAndGet());
            thread.setDaemon(false);
            return thread;
        });
    }

    /** Starts an upgrade; returns its job number once the job exists. Refused while draining. */
    public long startUpgrade(UpgradeRequest request) {
        refuseWhileDraining();
        return track(upgrades.start(request, new Publishing(), executor));
    }

    /** Resumes a live job whose owner is gone (or that a draining node handed back), here. Refused while draining. */
    public long resume(long jobId) {
        refuseWhileDraining();
        return track(upgrades.resume(jobId, new Publishing(), executor));
    }

    /** Rolls a job back here; returns the number of the job that runs the rollback. Refused while draining. */
    public long rollback(long jobId, String requestedBy) {
        refuseWhileDraining();
        return track(upgrades.rollback(jobId, requestedBy, new Publishing(), executor));
    }

    /**
     * Starts a failover of {@code pair} here; returns its job number once the job exists. Refused while
     * draining. A failover is not resumed from its journal (it is run again), so it is not claimable:
     * it runs on this node's executor, its phases published as step events.
     */
    public long startFailover(String pair, boolean force, boolean fullWrite, Actor actor) {
        refuseWhileDraining();
        EngineFailoverService.StartedFailover started = failovers.start(pair, force, fullWrite, actor, executor, UnaryOperator.identity(),
                new PublishedFailover());
        synchronized (failoverRuns) {
            failoverRuns.put(started.jobId(), started.report());
            while (failoverRuns.size() > FAILOVERS_KEPT) {
                failoverRuns.remove(failoverRuns.keySet().iterator().next());
            }
        }
        return track(started.jobId(), started.report(), report -> ended(report.jobId(), "SUCCEEDED", null));
    }

    /**
     * The report of failover job {@code jobId} run on this node, waiting for its end; its failure as
     * the exception the engine threw.
     */
    public dev.duplex.engine.failover.FailoverReport failoverReport(long jobId) {
        CompletableFuture<dev.duplex.engine.failover.FailoverReport> run;
        synchronized (failoverRuns) {
            run = failoverRuns.get(jobId);
        }
        if (run == null) {
            throw new ApiException(ProblemType.NOT_FOUND, "This server has no report of failover job #" + jobId + ": it keeps those of"
                    + " the failovers it ran; `duplex jobs show " + jobId + "` shows the journal of any job");
        }
        try {
            return run.get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for failover job #" + jobId, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("failover job #" + jobId + " did not end within 10 minutes", e);
        }
    }

    /** Whether this process runs job {@code jobId} now. */
    public boolean runs(long jobId) {
        return runningIds.contains(jobId);
    }

    private void refuseWhileDraining() {
        if (draining.get()) {
            throw new ApiException(ProblemType.UNAVAILABLE, "This server is shutting down and takes no new jobs; send the request to another"
                    + " node or retry once it is back");
        }
    }

    private long track(EngineUpgradeService.StartedJob started) {
        return track(started.jobId(), started.report(), report -> ended(report.jobId(), report.state().name(), report.error().orElse(null)));
    }

    private <R> long track(long jobId, CompletableFuture<R> report, Function<R, JobEvent> endedOf) {
        events.open(jobId);
        runningIds.add(jobId);
        report.whenComplete((done, failure) -> runningIds.remove(jobId));
        running.add(report);
        report.whenComplete((done, failure) -> {
            running.remove(report);
            if (failure != null) {
                log.error("Job #{} ended with an error", jobId, failure);
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                events.publish(ended(jobId, "FAILED", String.valueOf(cause.getMessage())));
            } else {
                events.publish(endedOf.apply(done));
            }
        });
        return jobId;
    }

    public boolean draining() {
        return draining.get();
    }

    /** Number of jobs running in this process now. */
    public int runningJobs() {
        return running.size();
    }

    /**
     * Takes no new jobs, asks the running ones to stop at their next journal point, and waits up to
     * {@code timeout} for them. Returns whether all stopped.
     */
    public boolean drain(Duration timeout) {
        draining.set(true);
        CompletableFuture<?> all = CompletableFuture.allOf(running.toArray(CompletableFuture[]::new));
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            log.warn("{} job(s) still ran after {}; their journals allow a resume", running.size(), timeout);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true; // a job that failed has ended too; its failure is in its report and log
        }
    }

    @Override
    public void close() {
        draining.set(true);
        executor.shutdown();
    }

    private static JobEvent ended(long job, String state, String error) {
        return new JobEvent(0, JobEvent.JOB_ENDED, job, Instant.now().toString(), null, null, null, null, error, null, null, null, null, state);
    }

    /**
     * A failover's phases and what its promote phase waits for, published as events, as an upgrade's
     * steps are (the step-duration metrics are an upgrade's: the failover's phases are not among them).
     */
    private final class PublishedFailover implements UpgradeListener {
        private final Publishing publishing = new Publishing();

        @Override
        public void stepStarted(long jobId, StepInfo step) {
            publishing.publish(jobId, "step-started", step, null, null, null, null, null, null);
        }

        @Override
        public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
            publishing.publish(jobId, "step-ended", step, elapsed.toMillis(), null, outputs, null, null, null);
        }

        @Override
        public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
            publishing.publish(jobId, "step-failed", step, elapsed.toMillis(), error, null, null, null, null);
        }

        @Override
        public void waiting(long jobId, StepInfo step, String what) {
            publishing.waiting(jobId, step, what);
        }
    }

    /** Turns the engine's callbacks into events, and stops the job at its next journal point while draining. */
    private final class Publishing implements UpgradeListener {
        private final Map<String, Integer> lastPercent = new ConcurrentHashMap<>();
        private final Map<String, String> lastWaiting = new ConcurrentHashMap<>();

        @Override
        public void stepStarted(long jobId, StepInfo step) {
            publish(jobId, "step-started", step, null, null, null, null, null, null);
            observer.stepStarted(jobId, step);
        }

        @Override
        public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
            publish(jobId, "step-ended", step, elapsed.toMillis(), null, outputs, null, null, null);
            observer.stepEnded(jobId, step, elapsed, outputs);
        }

        @Override
        public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
            publish(jobId, "step-failed", step, elapsed.toMillis(), error, null, null, null, null);
            observer.stepFailed(jobId, step, elapsed, error);
        }

        @Override
        public void stepSkipped(long jobId, StepInfo step) {
            publish(jobId, "step-skipped", step, null, null, null, null, null, null);
            observer.stepSkipped(jobId, step);
        }

        @Override
        public void copyProgress(long jobId, StepInfo step, long copiedBytes, long totalBytes) {
            // One event per percent at most: a subscriber needs the trend, not every buffer.
            int percent = totalBytes > 0 ? (int) Math.min(100, copiedBytes * 100 / totalBytes) : -1;
            Integer previous = lastPercent.put(step.id(), percent);
            if (previous == null || previous != percent || percent < 0) {
                publish(jobId, "copy-progress", step, null, null, null, copiedBytes, totalBytes, null);
            }
        }

        @Override
        public void waiting(long jobId, StepInfo step, String what) {
            // Called at every poll of a wait: only a change of what it waits for is news.
            if (what.equals(lastWaiting.put(step.id(), what))) {
                return;
            }
            publish(jobId, "waiting", step, null, null, null, null, null, what);
        }

        @Override
        public boolean stopRequested() {
            return draining.get();
        }

        private void publish(long jobId, String type, StepInfo step, Long elapsedMs, String error, Map<String, String> outputs,
                Long copied, Long total, String waitingFor) {
            events.publish(new JobEvent(0, type, jobId, Instant.now().toString(), step.id(), step.action(), step.member(), elapsedMs, error,
                    outputs == null ? null : Map.copyOf(outputs), copied, total, waitingFor, null));
        }
    }
}
