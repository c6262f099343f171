package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobState;
import dev.duplex.engine.upgrade.UpgradeReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link FleetPlan}: the canary wave alone, then the other waves' pairs in plan order with
 * at most max-in-flight at once, the next pair starting as soon as one ends (so a slow pair holds
 * up one slot, not a wave); each pair is the ordinary pair upgrade, which keeps one member of its
 * pair serving, so no pair is ever down. Nothing starts after a failure in the canary wave, nor
 * once more than {@code maxFailureRate} of the pairs started have failed; pairs already running
 * always finish, since stopping a pair mid-switchover would be worse than letting it end.
 */
public final class FleetUpgrade {
    private static final Logger log = LoggerFactory.getLogger(FleetUpgrade.class);

    private final PairUpgrader upgrader;
    private final double maxFailureRate;
    private final LongSupplier nanoClock;

    /**
     * @param maxFailureRate the share of the pairs started (0 to 1) that may fail before the fleet
     *     starts no more; 0 stops at the first failure
     */
    public FleetUpgrade(PairUpgrader upgrader, double maxFailureRate, LongSupplier nanoClock) {
        this.upgrader = requireNonNull(upgrader, "upgrader is null");
        if (!(maxFailureRate >= 0 && maxFailureRate <= 1)) {
            throw new IllegalArgumentException("the failure rate is a share between 0 and 1: " + maxFailureRate);
        }
        this.maxFailureRate = maxFailureRate;
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    public FleetReport run(FleetPlan plan, FleetListener listener) {
        long start = nanoClock.getAsLong();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(plan.maxInFlight(), task -> {
            Thread thread = new Thread(task, "fleet-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        Progress progress = new Progress(listener);
        try {
            List<Wave> waves = plan.waves();
            Wave canary = waves.get(0);
            listener.waveStarted(canary);
            CompletionService<PairOutcome> slots = new ExecutorCompletionService<>(pool);
            for (String pair : canary.pairs()) {
                slots.submit(() -> upgradeOne(pair, canary.number()));
            }
            for (int i = 0; i < canary.pairs().size(); i++) {
                progress.ended(take(slots));
            }
            progress.started += canary.pairs().size();
            progress.stopped = canaryRule(progress.outcomes);
            progress.stopped.ifPresent(reason -> stop(listener, reason));
            // Past the canary a pair starts as soon as another ends: a slow pair holds up its own slot, not a whole wave.
            int running = 0;
            for (Wave wave : waves.subList(1, waves.size())) {
                boolean announced = false;
                for (String pair : wave.pairs()) {
                    // Wait for a free slot when all are taken, and take in every pair that has ended meanwhile.
                    for (Future<PairOutcome> done; running > 0 && (done = next(slots, running >= plan.maxInFlight())) != null; running--) {
                        progress.ended(await(done));
                    }
                    if (progress.stopped.isPresent()) {
                        progress.notStarted.add(pair);
                        continue;
                    }
                    if (!announced) {
                        listener.waveStarted(wave);
                        announced = true;
                    }
                    slots.submit(() -> upgradeOne(pair, wave.number()));
                    progress.started++;
                    running++;
                }
            }
            for (; running > 0; running--) {
                progress.ended(take(slots));
            }
        } finally {
            // On a failure the pairs already running finish (or die with the process): none is left half-done behind our back.
            pool.shutdown();
            awaitEnd(pool);
        }
        return new FleetReport(progress.outcomes, progress.notStarted, progress.stopped, Duration.ofNanos(nanoClock.getAsLong() - start));
    }

    /** What has ended so far, and whether the fleet stopped starting pairs; touched by the thread that runs the plan only. */
    private final class Progress {
        private final FleetListener listener;
        private final List<PairOutcome> outcomes = new ArrayList<>();
        private final List<String> notStarted = new ArrayList<>();
        private Optional<String> stopped = Optional.empty();
        private int started;
        private int failed;

        Progress(FleetListener listener) {
            this.listener = listener;
        }

        void ended(PairOutcome outcome) {
            outcomes.add(outcome);
            listener.pairEnded(outcome);
            if (outcome.succeeded()) {
                return;
            }
            failed++;
            // Of the pairs started, not ended: a rate over the few ended early in a wave would stop a fleet for one failure.
            if (stopped.isEmpty() && started > 0 && failed > maxFailureRate * started) {
                stopped = Optional.of(failed + " of " + started + " pairs started failed, more than the " + Math.round(maxFailureRate * 100)
                        + " % allowed");
                stop(listener, stopped.get());
            }
        }
    }

    private static void stop(FleetListener listener, String reason) {
        log.warn("Fleet upgrade stops starting pairs: {}", reason);
        listener.stopped(reason);
    }

    private static Optional<String> canaryRule(List<PairOutcome> canary) {
        return canary.stream().filter(o -> !o.succeeded()).findFirst().map(first -> "the canary wave failed: " + first.pair() + " ended "
                + first.state() + first.error().map(e -> " (" + e + ")").orElse(""));
    }

    private PairOutcome upgradeOne(String pair, int wave) {
        long start = nanoClock.getAsLong();
        try {
            UpgradeReport report = upgrader.upgrade(pair);
            return new PairOutcome(pair, wave, Optional.of(report.jobId()), report.state(), report.error(), since(start));
        } catch (RuntimeException e) {
            // A refusal (a live job on the pair, a missing image) fails this pair, not the fleet's other pairs.
            String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new PairOutcome(pair, wave, Optional.empty(), JobState.FAILED, Optional.of(message), since(start));
        }
    }

    private static PairOutcome take(CompletionService<PairOutcome> slots) {
        return await(next(slots, true));
    }

    /** The next pair that ended: waits for one if {@code wait}, else null when none has. */
    private static Future<PairOutcome> next(CompletionService<PairOutcome> slots, boolean wait) {
        try {
            return wait ? slots.take() : slots.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the fleet ran", e);
        }
    }

    private static PairOutcome await(Future<PairOutcome> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a wave ran", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("a pair's upgrade ended abnormally", e.getCause());
        }
    }

    private static void awaitEnd(ExecutorService pool) {
        try {
            while (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS)) {
                log.debug("waiting for the wave's running pairs to end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Duration since(long start) {
        return Duration.ofNanos(nanoClock.getAsLong() - start);
    }
}
