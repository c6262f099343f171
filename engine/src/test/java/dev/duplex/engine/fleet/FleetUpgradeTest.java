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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FleetUpgradeTest {
    /**
     * Pairs whose upgrade takes a few milliseconds (or as long as given) and fails for the names
     * given; it counts how many run at once and records when each started and ended.
     */
    private static final class ScriptedPairs implements PairUpgrader {
        private final Set<String> failing;
        private final Map<String, Long> millis;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger mostInFlight = new AtomicInteger();
        private final AtomicLong jobs = new AtomicLong();
        private final List<String> started = Collections.synchronizedList(new ArrayList<>());
        private final List<String> events = Collections.synchronizedList(new ArrayList<>());
        /** A pair that ends only once another has started, whatever the machine's speed. */
        private final Map<String, String> endsAfterStartOf;

        ScriptedPairs(Set<String> failing) {
            this(failing, Map.of());
        }

        ScriptedPairs(Set<String> failing, Map<String, Long> millis) {
            this(failing, millis, Map.of());
        }

        ScriptedPairs(Set<String> failing, Map<String, Long> millis, Map<String, String> endsAfterStartOf) {
            this.failing = failing;
            this.millis = millis;
            this.endsAfterStartOf = endsAfterStartOf;
        }

        @Override
        public UpgradeReport upgrade(String pair) {
            started.add(pair);
            events.add("start " + pair);
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(millis.getOrDefault(pair, 5L));
                String other = endsAfterStartOf.get(pair);
                for (long deadline = System.nanoTime() + 10_000_000_000L; other != null && !started.contains(other)
                        && System.nanoTime() < deadline; ) {
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
                events.add("end " + pair);
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
    void theFleetStartsNoPairOnceTheFailureRateOfThePairsStartedIsExceededAndLetsTheRunningOnesFinish() {
        // 10 % allowed: kv03 fails as soon as kv04 has started, while kv01, kv02 and kv04 still run: one failure in five pairs started.
        ScriptedPairs platform = new ScriptedPairs(Set.of("kv03"), Map.of("kv01", 300L, "kv02", 300L, "kv03", 0L, "kv04", 300L),
                Map.of("kv03", "kv04"));
        FleetReport report = new FleetUpgrade(platform, 0.10, System::nanoTime).run(FleetPlan.of(pairs(12), 1, 4, Optional.empty()),
                FleetListener.NONE);

        assertEquals(5, report.outcomes().size(), "the canary and the four pairs started ended, the running ones finished");
        assertEquals(1, report.failed());
        assertEquals(pairs(12).subList(5, 12), report.notStarted());
        assertTrue(report.stoppedBecause().orElseThrow().contains("1 of 5 pairs started failed, more than the 10 % allowed"), report.toString());
    }

    @Test
    void aSlowPairHoldsUpItsOwnSlotNotTheNextWave() {
        // Waves of two after a canary of one: kv01 takes 400 ms, the others 5 ms each.
        ScriptedPairs platform = new ScriptedPairs(Set.of(), Map.of("kv01", 400L));
        List<Integer> waves = Collections.synchronizedList(new ArrayList<>());
        FleetReport report = new FleetUpgrade(platform, 0, System::nanoTime).run(FleetPlan.of(pairs(9), 1, 2, Optional.empty()),
                new FleetListener() {
                    @Override
                    public void waveStarted(Wave wave) {
                        waves.add(wave.number());
                    }
                });

        assertTrue(report.complete(), report.toString());
        assertEquals(2, platform.mostInFlight.get(), "two at once, never more");
        List<String> events = List.copyOf(platform.events);
        int slowEnded = events.indexOf("end kv01");
        assertEquals("end kv01", events.get(events.size() - 1), "every other pair, of this wave and the later ones, ended while kv01 ran: " + events);
        assertTrue(events.indexOf("start kv08") < slowEnded, events.toString());
        assertEquals(List.of(1, 2, 3, 4, 5), waves, "each wave announced once, in order");
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
