package dev.duplex.engine.envsync;

import dev.duplex.engine.testing.InMemoryEnvironmentStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentSnapshot;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvironmentSyncTest {
    private final Random random = new Random(11);
    private final byte[] settings = Fixtures.random(random, 64 * 1024);
    private final EnvironmentSnapshot standby = Fixtures.snapshot(1, "settings", settings);
    private final EnvironmentSnapshot active = Fixtures.snapshot(2, "settings", Fixtures.mutate(random, settings, 3, 16));
    private final EnvironmentSync sync = new EnvironmentSync();

    @Test
    void equalRevisionsNeedNothing() {
        assertEquals(Optional.empty(), sync.prepare(standby, standby));
        var store = new InMemoryEnvironmentStore(standby);
        SyncReport report = sync.failover(store, standby, Optional.empty(), new HalfSizeRule());
        assertEquals(SyncPath.NONE, report.performed());
        assertEquals(0, store.writes);
    }

    @Test
    void smallDiffIsAppliedByTheHalfSizeRule() {
        Optional<byte[]> diff = sync.prepare(active, standby);
        var store = new InMemoryEnvironmentStore(standby);
        SyncReport report = sync.failover(store, active, diff, new HalfSizeRule());
        assertEquals(SyncPath.DIFF, report.performed());
        assertEquals(Fixtures.bytesOf(active), Fixtures.bytesOf(store.read()));
        assertEquals(Optional.empty(), report.learnedModel());
    }

    @Test
    void costModelMayPreferTheFullWriteAndLearnsFromIt() {
        var expensiveDiffs = new CostModel(1e9, 1e6, 1e6, 1_000, 0.001, 0);
        Optional<byte[]> diff = sync.prepare(active, standby);
        var store = new InMemoryEnvironmentStore(standby);
        SyncReport report = sync.failover(store, active, diff, new CostModelChooser(expensiveDiffs));
        assertEquals(SyncPath.FULL, report.performed());
        assertTrue(report.decision().predictedDiff().isPresent());
        assertEquals(1, report.learnedModel().orElseThrow().observations());
        assertEquals(Fixtures.bytesOf(active), Fixtures.bytesOf(store.read()));
    }

    @Test
    void staleDiffFallsBackToAFullWrite() {
        Optional<byte[]> diff = sync.prepare(active, standby);
        EnvironmentSnapshot newer = Fixtures.snapshot(3, "settings", Fixtures.mutate(random, settings, 1, 4));
        var store = new InMemoryEnvironmentStore(standby);
        SyncReport report = sync.failover(store, newer, diff, new HalfSizeRule());
        assertEquals(SyncPath.FULL, report.performed());
        assertEquals(Fixtures.bytesOf(newer), Fixtures.bytesOf(store.read()));
    }

    @Test
    void refusedDiffFallsBackToAFullWrite() {
        Optional<byte[]> diff = sync.prepare(active, standby);
        byte[] drifted = settings.clone();
        drifted[0] ^= 1;
        var store = new InMemoryEnvironmentStore(Fixtures.snapshot(1, "settings", drifted));
        SyncReport report = sync.failover(store, active, diff, new HalfSizeRule());
        assertEquals(SyncPath.FULL, report.performed());
        assertTrue(report.reason().contains("diff refused"), report.reason());
        assertEquals(Fixtures.bytesOf(active), Fixtures.bytesOf(store.read()));
    }
}
