package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void observationMovesThePredictionTowardsTheMeasurement() {
        var workload = new SyncWorkload(1600, 100, 100, 100, 1_000_000);
        CostModel learned = model.observe(SyncPath.DIFF, workload, Duration.ofNanos(4_400_000));
        // ratio 2 → scale 1.2
        assertEquals(2_200_000 * 1.2, learned.diffNanos(workload), 1e-3);
        assertEquals(model.fullNanos(workload), learned.fullNanos(workload));
        assertEquals(1, learned.observations());
    }
}
