package dev.duplex.engine.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FleetPlanTest {
    private static List<String> pairs(int n) {
        return IntStream.range(0, n).mapToObj(i -> String.format("kv%02d", i)).toList();
    }

    @Test
    void aCanaryWaveComesFirstThenWavesOfAtMostMaxInFlight() {
        FleetPlan plan = FleetPlan.of(pairs(10), 1, 4, Optional.of(Duration.ofSeconds(30)));

        assertEquals(List.of(List.of("kv00"), List.of("kv01", "kv02", "kv03", "kv04"), List.of("kv05", "kv06", "kv07", "kv08"), List.of("kv09")),
                plan.waves().stream().map(Wave::pairs).toList());
        assertEquals(List.of(1, 2, 3, 4), plan.waves().stream().map(Wave::number).toList());
        assertEquals(10, plan.pairCount());
        assertEquals(Optional.of(Duration.ofMinutes(2)), plan.predictedTotal(), "four waves of one pair's time each");
        assertEquals(java.util.Map.of("kv00", 1, "kv01", 2, "kv02", 2, "kv03", 2, "kv04", 2, "kv05", 3, "kv06", 3, "kv07", 3, "kv08", 3,
                "kv09", 4), plan.waveByPair());
    }

    @Test
    void aCanaryLargerThanMaxInFlightIsCappedAndAFleetSmallerThanTheCanaryIsOneWave() {
        assertEquals(List.of(3, 3, 3, 1), FleetPlan.of(pairs(10), 5, 3, Optional.empty()).waves().stream().map(w -> w.pairs().size()).toList());
        assertEquals(List.of(2), FleetPlan.of(pairs(2), 5, 8, Optional.empty()).waves().stream().map(w -> w.pairs().size()).toList());
        assertTrue(FleetPlan.of(pairs(2), 1, 1, Optional.empty()).predictedTotal().isEmpty(), "no prediction without earlier runs");
    }

    @Test
    void nonsenseIsRefusedSayingWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetPlan.of(List.of(), 1, 4, Optional.empty()))
                .getMessage().contains("matches no pair"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetPlan.of(pairs(3), 0, 4, Optional.empty()))
                .getMessage().contains("canary"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetPlan.of(pairs(3), 1, 0, Optional.empty()))
                .getMessage().contains("max-in-flight"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetPlan.of(List.of("a", "b", "a"), 1, 4, Optional.empty()))
                .getMessage().contains("twice"));
    }
}
