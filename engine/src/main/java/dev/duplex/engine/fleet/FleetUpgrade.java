package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobState;
import dev.duplex.engine.upgrade.UpgradeReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link FleetPlan}: wave after wave, the pairs of a wave side by side, each through the
 * ordinary pair upgrade (which keeps one member of its pair serving, so no pair is ever down).
 * It stops before the next wave when the canary wave has a failure, or when more than
 * {@code maxFailureRate} of the pairs upgraded so far failed; pairs of a running wave always
 * finish, since stopping a pair mid-switchover would be worse than letting it end.
 */
public final class FleetUpgrade {
    private static final Logger log = LoggerFactory.getLogger(FleetUpgrade.class);

    private final PairUpgrader upgrader;
    private final double maxFailureRate;
    private final LongSupplier nanoClock;

    /**
     * @param maxFailureRate the share of upgraded pairs (0 to 1) that may fail before the fleet
     *     stops; 0 stops at the first failure
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
        List<PairOutcome> outcomes = new ArrayList<>();
        List<String> notStarted = new ArrayList<>();
        Optional<String> stopped = Optional.empty();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(plan.maxInFlight(), task -> {
            Thread thread = new Thread(task, "fleet-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (Wave wave : plan.waves()) {
                if (stopped.isPresent()) {
                    notStarted.addAll(wave.pairs());
                    continue;
                }
                listener.waveStarted(wave);
                List<Future<PairOutcome>> running = new ArrayList<>();
                for (String pair : wave.pairs()) {
                    running.add(pool.submit(() -> upgradeOne(pair, wave.number())));
                }
                List<PairOutcome> ended = new ArrayList<>();
                for (Future<PairOutcome> future : running) {
                    PairOutcome outcome = await(future);
                    ended.add(outcome);
                    outcomes.add(outcome);
                    listener.pairEnded(outcome);
                }
                stopped = stopRule(wave, ended, outcomes);
                stopped.ifPresent(reason -> {
                    log.warn("Fleet upgrade stops after wave {}: {}", wave.number(), reason);
                    listener.stopped(reason);
                });
            }
        } finally {
            // On a failure the pairs already running finish (or die with the process): none is left half-done behind our back.
            pool.shutdown();
            awaitEnd(pool);
        }
        return new FleetReport(outcomes, notStarted, stopped, Duration.ofNanos(nanoClock.getAsLong() - start));
    }

    private Optional<String> stopRule(Wave wave, List<PairOutcome> ended, List<PairOutcome> all) {
        List<PairOutcome> failedNow = ended.stream().filter(o -> !o.succeeded()).toList();
        if (wave.number() == 1 && !failedNow.isEmpty()) {
            PairOutcome first = failedNow.get(0);
            return Optional.of("the canary wave failed: " + first.pair() + " ended " + first.state()
                    + first.error().map(e -> " (" + e + ")").orElse(""));
        }
        long failed = all.stream().filter(o -> !o.succeeded()).count();
        if (failed > maxFailureRate * all.size()) {
            return Optional.of(failed + " of " + all.size() + " pairs failed, more than the " + Math.round(maxFailureRate * 100)
                    + " % allowed");
        }
        return Optional.empty();
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
