package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyncChooserTest {
    private final CostModel model = new CostModel(1_000_000, 2_000, 10_000, 5_000_000, 1.0, 0);

    @Test
    void halfSizeRuleChoosesDiffUpToHalfTheInfo() {
        var rule = new HalfSizeRule();
        assertEquals(SyncPath.DIFF, rule.choose(new SyncWorkload(500, 1, 1, 1, 1000)).path());
        assertEquals(SyncPath.FULL, rule.choose(new SyncWorkload(501, 1, 1, 1, 1000)).path());
        assertTrue(rule.choose(new SyncWorkload(501, 1, 1, 1, 1000)).reason().contains("half-size rule"));
    }

    @Test
    void uncalibratedStoreGetsTheHalfSizeRule() {
        assertTrue(SyncChooser.of(Optional.empty()) instanceof HalfSizeRule);
        assertTrue(SyncChooser.of(Optional.of(model)) instanceof CostModelChooser);
    }

    @Test
    void costModelChoosesThePredictedFasterPath() {
        var chooser = new CostModelChooser(model);
        // diff: 1 ms + 100 · 2 µs + 100 · 10 µs = 2.2 ms; full: 5 ms + 1 MB · 1 ns = 6 ms
        SyncDecision few = chooser.choose(new SyncWorkload(1600, 100, 100, 100, 1_000_000));
        assertEquals(SyncPath.DIFF, few.path());
        assertEquals(Optional.of(Duration.ofNanos(2_200_000)), few.predictedDiff());
        assertEquals(Optional.of(Duration.ofNanos(6_000_000)), few.predictedFull());
        // diff: 1 ms + 1000 · 2 µs + 1000 · 10 µs = 13 ms > 6 ms, though the diff is small
        assertEquals(SyncPath.FULL, chooser.choose(new SyncWorkload(16000, 1000, 1000, 1000, 1_000_000)).path());
    }

    @Test
    void modelSurvivesMapAndStringRoundTrips() {
        assertEquals(model, CostModel.fromMap(model.toMap()));
        assertEquals(model, CostModel.decode(model.encode()));
    }

    @Test
    void anObservedApplyCorrectsItsPathAndTheOtherOnlyUntilThatHasItsOwn() {
        var workload = new SyncWorkload(1600, 100, 100, 100, 1_000_000);
        CostModel learned = model.observe(SyncPath.DIFF, workload, Duration.ofNanos(4_400_000));
        assertEquals(4_400_000, learned.diffNanos(workload), 1e-3, "the same workload is predicted as measured");
        assertEquals(model.fullNanos(workload) * 2, learned.fullNanos(workload), 1e-3,
                "a store twice as slow for diffs is taken as twice as slow for full writes, while none was measured");
        CostModel both = learned.observe(SyncPath.FULL, workload, Duration.ofNanos(6_000_000));
        assertEquals(6_000_000, both.fullNanos(workload), 1e-3, "then full writes follow their own measurements");
        CostModel wildDiff = model.observe(SyncPath.DIFF, workload, Duration.ofNanos(22_000_000));
        assertEquals(model.fullNanos(workload) * CostModel.MAX_BORROWED, wildDiff.fullNanos(workload), 1e-3,
                "a diff calibrated 10x too low says the store is slower, not that full writes are 10x slower");
        assertEquals(4_400_000, both.diffNanos(workload), 1e-3);
        assertEquals(1, learned.observations());
        assertEquals(model.nanosPerEntry(), learned.nanosPerEntry(), "the calibrated coefficients are kept");
    }

    @Test
    void oneStalledWriteAmongSteadyOnesDoesNotMoveThePrediction() {
        var workload = new SyncWorkload(1600, 100, 100, 100, 1_000_000);
        CostModel learned = model;
        for (int i = 0; i < 4; i++) {
            learned = learned.observe(SyncPath.FULL, workload, Duration.ofNanos(6_000_000)); // calibrated: 6 ms
        }
        learned = learned.observe(SyncPath.FULL, workload, Duration.ofSeconds(3));
        assertEquals(6_000_000, learned.fullNanos(workload), 1e-3);
    }

    @Test
    void aCorrectionComesFromTheNearestWorkloadsSoSmallAndLargeDiffsAreCorrectedApart() {
        var small = new SyncWorkload(80, 1, 0, 1, 1_000_000);          // calibrated 1.012 ms
        var large = new SyncWorkload(1_600_000, 100_000, 0, 10_000, 1_000_000); // calibrated 301 ms
        CostModel learned = model;
        for (int i = 0; i < 5; i++) {
            learned = learned.observe(SyncPath.DIFF, small, Duration.ofNanos(Math.round(model.diffNanos(small))));
            learned = learned.observe(SyncPath.DIFF, large, Duration.ofNanos(Math.round(model.diffNanos(large) * 2)));
        }
        assertEquals(model.diffNanos(small), learned.diffNanos(small), 1);
        assertEquals(model.diffNanos(large) * 2, learned.diffNanos(large), 1);
    }

    @Test
    void observationsAreKeptBoundedAndSurviveTheMapRoundTrip() {
        var workload = new SyncWorkload(1600, 100, 100, 100, 1_000_000);
        CostModel learned = model;
        for (int i = 1; i <= CostModel.RECENT_PER_PATH + 3; i++) {
            learned = learned.observe(SyncPath.DIFF, workload, Duration.ofNanos(i * 1_000_000L));
        }
        learned = learned.observe(SyncPath.FULL, workload, Duration.ofNanos(7_000_000));
        assertEquals(CostModel.RECENT_PER_PATH + 1, learned.recent().size());
        assertEquals(4_000_000, learned.recent().get(0).nanos(), "the oldest are dropped first");
        assertEquals(CostModel.RECENT_PER_PATH + 4, learned.observations());
        assertEquals(learned, CostModel.fromMap(learned.toMap()));
        assertEquals(learned, CostModel.decode(learned.encode()));
    }

    @Test
    void aNearTieWithinTheNoiseFloorIsStillDecidedByThePredictionAndSaysSo() {
        // diff: 1 ms + 1000 · 2 µs + 1000 · 10 µs = 13 ms; full: 5 ms + 6 MB · 1 ns = 11 ms
        var workload = new SyncWorkload(16000, 1000, 1000, 1000, 6_000_000);
        assertEquals(SyncPath.FULL, new CostModelChooser(model).choose(workload).path());

        SyncDecision nearTie = new CostModelChooser(model.withNoise(2_500_000)).choose(workload);
        assertEquals(SyncPath.FULL, nearTie.path(), "11 ms predicted beats 13 ms, however noisy the store");
        assertTrue(nearTie.reason().contains("near tie: within the noise floor of 2.500 ms"), nearTie.reason());
        assertFalse(new CostModelChooser(model.withNoise(1_500_000)).choose(workload).reason().contains("near tie"),
                "2 ms apart is more than a 1.5 ms floor");
    }

    @Test
    void theNoiseFloorSurvivesRoundTripsAndObservations() {
        CostModel noisy = model.withNoise(1_234_567.5)
                .observe(SyncPath.DIFF, new SyncWorkload(80, 1, 1, 1, 1_000), Duration.ofMillis(3));
        assertEquals(1_234_567.5, noisy.noiseNanos());
        assertEquals(noisy, CostModel.decode(noisy.encode()));
        var older = new java.util.LinkedHashMap<>(model.toMap());
        older.remove("noiseNanos");
        assertEquals(0, CostModel.fromMap(older).noiseNanos(), "a model saved before the floor existed has none");
    }

    @Test
    void aCalibrationTenTimesTooHighIsCorrectedByWhatTheAppliesMeasure() {
        var workload = new SyncWorkload(1600, 100, 100, 100, 1_000_000); // calibrated diff 2.2 ms
        CostModel learned = model;
        for (int i = 0; i < 3; i++) {
            learned = learned.observe(SyncPath.DIFF, workload, Duration.ofNanos(220_000));
        }
        assertEquals(220_000, learned.diffNanos(workload), 1);
        CostModel absurd = model;
        for (int i = 0; i < 3; i++) {
            absurd = absurd.observe(SyncPath.DIFF, workload, Duration.ofNanos(1_000));
        }
        assertEquals(model.diffNanos(workload) * CostModel.MIN_CORRECTION, absurd.diffNanos(workload), 1,
                "a correction is bounded");
    }

    @Test
    void aSavedNoiseFloorThatIsNotAFiniteNonNegativeNumberIsRefused() {
        for (String hostile : new String[] {"-1", "NaN", "Infinity", "-Infinity", "1e400", "abc", "", "0x10", "1;observations=9"}) {
            var map = new java.util.LinkedHashMap<>(model.toMap());
            map.put("noiseNanos", hostile);
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> CostModel.fromMap(map), "noiseNanos=" + hostile);
            assertTrue(refused.getMessage().contains("cost"), refused.getMessage());
        }
    }
}
