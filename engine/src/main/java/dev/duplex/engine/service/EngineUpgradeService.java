package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.StepTiming;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradePlan;
import dev.duplex.engine.upgrade.UpgradeRefusedException;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Upgrades as the frontends ask for them: with this installation's settings, and — for a frontend
 * that answers before the work is done, as the server's 202 does — started in the background,
 * handing back the job's number as soon as the job exists.
 *
 * <p>A refusal before anything was touched ({@link dev.duplex.engine.upgrade.UpgradeRefusedException},
 * {@link dev.duplex.engine.job.LiveJobExistsException}, an unknown pair) is thrown by {@link #start}
 * itself, so the frontend can answer it at once; what happens later is in the job.
 */
public final class EngineUpgradeService implements UpgradeService {
    private final RollingUpgrade engine;

    @Inject
    public EngineUpgradeService(RollingUpgrade upgrade, DuplexConfig config) {
        this(upgrade.withSettings(UpgradeService.settings(config)));
    }

    public EngineUpgradeService(RollingUpgrade configured) {
        this.engine = requireNonNull(configured, "configured is null");
    }

    /** The configured engine, for tests that drive it step by step. */
    public RollingUpgrade engine() {
        return engine;
    }

    /** Why the request has nothing to do (both members already run the target images), if so; touches nothing. */
    public Optional<String> nothingToDo(UpgradeRequest request) {
        return engine.nothingToDo(request);
    }

    /** Checks the request and predicts the run: steps, single-side window, switchover gap. Touches nothing. */
    public UpgradePlan plan(UpgradeRequest request) {
        return engine.plan(request);
    }

    /** Runs an upgrade of a pair in this thread until it ends or {@code listener} asks it to stop. */
    public UpgradeReport run(UpgradeRequest request, UpgradeListener listener) {
        return engine.run(request, listener);
    }

    /** {@link #nothingToDo(UpgradeRequest)} for a single VM. */
    public Optional<String> nothingToDoVm(String vm, String image) {
        ObjectName.check("VM", vm);
        return engine.nothingToDoVm(vm, image);
    }

    /** Checks and predicts a single VM's upgrade (S11–S13); touches nothing. */
    public UpgradePlan planVm(String vm, String image, UpgradeStrategy strategy) {
        ObjectName.check("VM", vm);
        return engine.planVm(vm, image, strategy);
    }

    /** Upgrades a single VM (S11–S13) in this thread. */
    public UpgradeReport runVm(String vm, String image, UpgradeStrategy strategy, Actor actor, UpgradeListener listener) {
        ObjectName.check("VM", vm);
        return engine.runVm(vm, image, strategy, actor.name(), listener);
    }

    /**
     * Continues a live job from its journal in this thread.
     *
     * @param takeOverNow take the job over even though its owner's heartbeat is fresh: only when the owner is known dead
     */
    public UpgradeReport resume(long jobId, boolean takeOverNow, UpgradeListener listener) {
        RollingUpgrade resuming = takeOverNow ? engine.withSettings(engine.settings().withStaleAfter(Duration.ZERO)) : engine;
        return resuming.resume(jobId, listener);
    }

    /** Brings the pair (or VM) of a job back to its old images on the same volumes, in this thread. */
    public UpgradeReport rollback(long jobId, Actor actor, UpgradeListener listener) {
        return engine.rollback(jobId, actor.name(), listener);
    }

    /**
     * Drops the safety snapshots of every pair and VM whose upgrade is over and whose retention
     * ({@code duplex.upgrade.snapshot-retention}) has passed; returns them as {@code volume/snapshot}.
     */
    public java.util.List<String> pruneSnapshots() {
        return engine.pruneExpiredSnapshots();
    }

    @Override
    public UpgradePlan planRollback(long jobId) {
        return engine.planRollback(jobId);
    }

    /** A job's report from its journal, whatever its state. */
    public UpgradeReport status(long jobId) {
        return engine.status(jobId);
    }

    /**
     * Follows a job that another process (or thread) runs, from its journal, until it ends or
     * {@code listener} asks to stop: each step's start, end or failure is passed to
     * {@code listener} once, in journal order, those already journaled first. Changes nothing.
     *
     * @param pollEvery how often the journal is read again
     * @return the job's report when it ended (or when following stopped)
     */
    public UpgradeReport follow(long jobId, UpgradeListener listener, Duration pollEvery) {
        requireNonNull(listener, "listener is null");
        if (pollEvery.isNegative() || pollEvery.isZero()) {
            throw new IllegalArgumentException("the poll interval is positive, not " + pollEvery);
        }
        Set<String> told = new HashSet<>();
        while (true) {
            UpgradeReport report = engine.status(jobId);
            for (StepTiming step : report.steps()) {
                // A step run again after a resume has a new start time: it is a new line.
                String run = step.id() + "@" + step.started();
                StepInfo info = new StepInfo(step.id(), step.action(), step.member(), "", false);
                if (told.add(run + " started")) {
                    listener.stepStarted(jobId, info);
                }
                if (step.state() == StepState.DONE && told.add(run + " ended")) {
                    listener.stepEnded(jobId, info, step.elapsed().orElse(Duration.ZERO), step.outputs());
                } else if (step.state() == StepState.FAILED && told.add(run + " ended")) {
                    listener.stepFailed(jobId, info, step.elapsed().orElse(Duration.ZERO), step.error().orElse(""));
                }
            }
            if (!report.state().live() || listener.stopRequested()) {
                return report;
            }
            try {
                Thread.sleep(pollEvery.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return report;
            }
        }
    }

    /** The report of the newest upgrade or rollback job of a pair or single VM. */
    public UpgradeReport latest(String target) {
        ObjectName.check("pair", target);
        return engine.latest(target).orElseThrow(() -> new UpgradeRefusedException("Pair or VM '" + target
                + "' has no upgrade job; `duplex jobs list` shows the jobs there are"));
    }

    /** A job started in the background: its number, and its report when it ends. */
    public record StartedJob(long jobId, CompletableFuture<UpgradeReport> report) {
        public StartedJob {
            requireNonNull(report, "report is null");
        }
    }

    /**
     * Starts an upgrade of a pair on {@code executor} and returns once its job exists (its first
     * step begins) or the run has ended; throws the refusal if the run was refused before it
     * created a job.
     */
    public StartedJob start(UpgradeRequest request, UpgradeListener listener, Executor executor) {
        return startJob(l -> engine.run(request, l), listener, executor);
    }

    /** Resumes a live job in the background (see {@link RollingUpgrade#resume}). */
    public StartedJob resume(long jobId, UpgradeListener listener, Executor executor) {
        return startJob(l -> engine.resume(jobId, l), listener, executor);
    }

    /** Rolls a job back in the background (see {@link RollingUpgrade#rollback}); the number is the job that runs the rollback. */
    public StartedJob rollback(long jobId, String requestedBy, UpgradeListener listener, Executor executor) {
        return startJob(l -> engine.rollback(jobId, requestedBy, l), listener, executor);
    }

    private static StartedJob startJob(Function<UpgradeListener, UpgradeReport> run, UpgradeListener listener, Executor executor) {
        JobLaunch<UpgradeReport> launch = JobLaunch.start(created -> run.apply(new Announcing(listener, created)),
                UpgradeReport::jobId, executor, "the upgrade");
        return new StartedJob(launch.jobId(), launch.report());
    }

    /** Passes every event on; the first one that names the job tells the caller its number. */
    private record Announcing(UpgradeListener listener, CompletableFuture<Long> created) implements UpgradeListener {
        @Override
        public void stepStarted(long jobId, StepInfo step) {
            created.complete(jobId);
            listener.stepStarted(jobId, step);
        }

        @Override
        public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
            created.complete(jobId);
            listener.stepEnded(jobId, step, elapsed, outputs);
        }

        @Override
        public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
            created.complete(jobId);
            listener.stepFailed(jobId, step, elapsed, error);
        }

        @Override
        public void stepSkipped(long jobId, StepInfo step) {
            created.complete(jobId);
            listener.stepSkipped(jobId, step);
        }

        @Override
        public void copyProgress(long jobId, StepInfo step, long copiedBytes, long totalBytes) {
            listener.copyProgress(jobId, step, copiedBytes, totalBytes);
        }

        @Override
        public void waiting(long jobId, StepInfo step, String what) {
            created.complete(jobId);
            listener.waiting(jobId, step, what);
        }

        @Override
        public boolean stopRequested() {
            return listener.stopRequested();
        }
    }
}
