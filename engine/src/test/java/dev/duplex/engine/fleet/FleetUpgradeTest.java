package dev.duplex.engine.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.job.JobState;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FleetUpgradeTest {
    /** Pairs whose upgrade takes a few milliseconds and fails for the names given; it counts how many run at once. */
    private static final class ScriptedPairs implements PairUpgrader {
        private final Set<String> failing;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger mostInFlight = new AtomicInteger();
        private final AtomicLong jobs = new AtomicLong();
        private final List<String> started = Collections.synchronizedList(new ArrayList<>());

        ScriptedPairs(Set<String> failing) {
            this.failing = failing;
        }

        @Override
        public UpgradeReport upgrade(String pair) {
            started.add(pair);
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            if (pair.startsWith("refused")) {
                throw new IllegalStateException("Pair " + pair + " has a live job");
            }
            boolean fails = failing.contains(pair);
            return new UpgradeReport(jobs.incrementAndGet(), "upgrade", pair, UpgradeStrategy.LINK, fails ? JobState.FAILED : JobState.SUCCEEDED,
                    fails ? Optional.of("S23 failed") : Optional.empty(), List.of(), List.of(), Optional.empty(), Optional.empty(), 0, Duration.ZERO);
        }
    }

    private static List<String> pairs(int n) {
        return IntStream.range(0, n).mapToObj(i -> String.format("kv%02d", i)).toList();
    }

    @Test
    void everyPairIsUpgradedTheCanaryAloneAndNeverMoreThanMaxInFlightAtOnce() {
        ScriptedPairs platform = new ScriptedPairs(Set.of());
        List<Wave> started = Collections.synchronizedList(new ArrayList<>());
        FleetReport report = new FleetUpgrade(platform, 0, System::nanoTime).run(FleetPlan.of(pairs(23), 1, 5, Optional.empty()),
                new FleetListener() {
                    @Override
                    public void waveStarted(Wave wave) {
                        started.add(wave);
                    }
                });

        assertTrue(report.complete(), report.toString());
        assertEquals(23, report.outcomes().size());
        assertEquals(5, platform.mostInFlight.get(), "five at once, never more");
        assertEquals("kv00", platform.started.get(0), "the canary first");
        assertEquals(List.of(1, 2, 3, 4, 5, 6), started.stream().map(Wave::number).toList());
        assertTrue(report.outcomes().stream().allMatch(o -> o.jobId().isPresent() && o.succeeded()));
    }

    @Test
    void aFailedCanaryStopsTheFleetBeforeAnyOtherPairIsTouched() {
        ScriptedPairs platform = new ScriptedPairs(Set.of("kv00"));
        List<String> stops = new ArrayList<>();
        FleetReport report = new FleetUpgrade(platform, 0.5, System::nanoTime).run(FleetPlan.of(pairs(6), 1, 3, Optional.empty()),
                new FleetListener() {
                    @Override
                    public void stopped(String reason) {
                        stops.add(reason);
                    }
                });

        assertEquals(List.of("kv00"), platform.started);
        assertEquals(pairs(6).subList(1, 6), report.notStarted());
        assertTrue(report.stoppedBecause().orElseThrow().contains("canary wave failed: kv00 ended FAILED (S23 failed)"), report.toString());
        assertEquals(report.stoppedBecause().stream().toList(), stops);
    }

    @Test
    void theFleetStopsAfterTheWaveInWhichTheFailureRateIsExceededAndLetsThatWaveFinish() {
        // 10 % allowed: one failure in the first 5 pairs upgraded is 20 %.
        ScriptedPairs platform = new ScriptedPairs(Set.of("kv03"));
        FleetReport report = new FleetUpgrade(platform, 0.10, System::nanoTime).run(FleetPlan.of(pairs(12), 1, 4, Optional.empty()),
                FleetListener.NONE);

        assertEquals(5, report.outcomes().size(), "the canary and the whole second wave ended");
        assertEquals(1, report.failed());
        assertEquals(pairs(12).subList(5, 12), report.notStarted());
        assertTrue(report.stoppedBecause().orElseThrow().contains("1 of 5 pairs failed, more than the 10 % allowed"), report.toString());
    }

    @Test
    void aPairRefusedBeforeItsJobCountsAsFailedAndTheOthersGoOn() {
        ScriptedPairs platform = new ScriptedPairs(Set.of());
        List<String> names = List.of("kv00", "refused01", "kv02", "kv03");
        FleetReport report = new FleetUpgrade(platform, 0.5, System::nanoTime).run(FleetPlan.of(names, 1, 3, Optional.empty()), FleetListener.NONE);

        PairOutcome refused = report.outcomes().stream().filter(o -> o.pair().equals("refused01")).findFirst().orElseThrow();
        assertEquals(JobState.FAILED, refused.state());
        assertTrue(refused.jobId().isEmpty());
        assertEquals(Optional.of("Pair refused01 has a live job"), refused.error());
        assertEquals(4, report.outcomes().size());
        assertTrue(report.stoppedBecause().isEmpty());
    }
}
