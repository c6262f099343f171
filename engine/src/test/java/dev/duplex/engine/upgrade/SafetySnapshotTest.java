package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VolumeSnapshot;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.testing.SimulatedCrash;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The safety snapshot of a link upgrade, on an in-memory platform whose snapshots hold the volume's
 * bytes and whose new version (image v2) rewrites its database when it starts: a rollback after the
 * new version started puts the old bytes back before the old image starts; a succeeded upgrade's
 * snapshots go after the retention.
 */
class SafetySnapshotTest {
    private static final byte MIGRATED = 99;

    private static PairFixture pairWhoseNewVersionMigratesItsData() {
        PairFixture f = new PairFixture(FakeDriver.withSnapshots("kv-"));
        f.driver.writeOnStart("v2", MIGRATED);
        return f;
    }

    private static RollingUpgrade engine(PairFixture f, Duration retention) {
        RollingUpgrade engine = f.engine();
        return engine.withSettings(engine.settings().withSnapshotRetention(retention));
    }

    private static List<String> snapshotNames(PairFixture f, dev.duplex.api.VolumeRef volume) {
        return f.driver.listSnapshots(volume).stream().map(VolumeSnapshot::name).toList();
    }

    @org.junit.jupiter.api.Test
    void aFailedHealthCheckPutsTheOldBytesBackBeforeTheOldImageStarts() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();
        f.app.breakImage("v2");

        UpgradeReport report = engine(f, Duration.ofHours(24)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.FAILED, report.state());
        assertArrayEquals(f.db1, f.driver.content(f.volume1.id()), "db-1 holds what it held before the new version started");
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()), "the active's database was never touched");
        List<String> changes = f.driver.changes();
        String snapshot = "snapshot db-1 as duplex-job-" + report.jobId() + "-kv-1";
        String restore = "restore db-1 from duplex-job-" + report.jobId() + "-kv-1";
        assertTrue(changes.indexOf(snapshot) >= 0 && changes.indexOf(snapshot) < changes.indexOf("start kv-1-j" + report.jobId()),
                "snapshot before the new version starts: " + changes);
        assertTrue(changes.indexOf(restore) > changes.indexOf("start kv-1-j" + report.jobId())
                && changes.indexOf(restore) < changes.lastIndexOf("start kv-1"), "restored before the old image starts again: " + changes);
        StepTiming restoring = report.steps().stream().filter(s -> s.id().equals("R1")).findFirst().orElseThrow();
        assertEquals("duplex-job-" + report.jobId() + "-kv-1", restoring.outputs().get("restored.db-1"));
    }

    @org.junit.jupiter.api.Test
    void aSucceededUpgradeWithNoRetentionDropsItsSnapshotsAndKeepsTheNewData() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();

        UpgradeReport report = engine(f, Duration.ZERO).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertTrue(f.driver.changes().contains("snapshot db-0 as duplex-job-" + report.jobId() + "-kv-0"), f.driver.changes().toString());
        assertTrue(f.driver.changes().contains("drop snapshot duplex-job-" + report.jobId() + "-kv-1 of db-1"), f.driver.changes().toString());
        assertEquals(List.of(), snapshotNames(f, f.volume0));
        assertEquals(List.of(), snapshotNames(f, f.volume1));
        assertFalse(java.util.Arrays.equals(f.db1, f.driver.content(f.volume1.id())), "the new version's data stays");
    }

    @org.junit.jupiter.api.Test
    void snapshotsAreKeptForTheRetentionAndDroppedByTheNextRunOrAPruneOnceItPassed() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();
        UpgradeReport first = engine(f, Duration.ofHours(1)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, first.state(), () -> first.error().orElse(""));
        assertEquals(List.of("duplex-job-" + first.jobId() + "-kv-1"), snapshotNames(f, f.volume1), "kept within the retention");

        UpgradeReport back = engine(f, Duration.ofHours(1)).run(UpgradeRequest.of("kv", "v1", UpgradeStrategy.LINK, "tester@host"),
                UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, back.state(), () -> back.error().orElse(""));
        assertEquals(List.of("duplex-job-" + first.jobId() + "-kv-1", "duplex-job-" + back.jobId() + "-kv-1"), snapshotNames(f, f.volume1),
                "the first job's retention has not passed yet");

        List<String> dropped = engine(f, Duration.ZERO).pruneExpiredSnapshots();

        assertEquals(4, dropped.size(), dropped.toString());
        assertEquals(List.of(), snapshotNames(f, f.volume0));
        assertEquals(List.of(), snapshotNames(f, f.volume1));
    }

    @org.junit.jupiter.api.Test
    void aNextRunDropsTheSnapshotsOfAnUpgradeWhoseRetentionPassed() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();
        UpgradeReport first = engine(f, Duration.ofMillis(1)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(List.of("duplex-job-" + first.jobId() + "-kv-0"), snapshotNames(f, f.volume0));
        pause(Duration.ofMillis(20));

        UpgradeReport back = engine(f, Duration.ofMillis(1)).run(UpgradeRequest.of("kv", "v1", UpgradeStrategy.LINK, "tester@host"),
                UpgradeListener.NONE);

        assertEquals(List.of("duplex-job-" + back.jobId() + "-kv-0"), snapshotNames(f, f.volume0), "only the new run's snapshot is left");
    }

    @org.junit.jupiter.api.Test
    void rollingBackASucceededUpgradeWithinTheRetentionPutsBothOldDatabasesBack() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();
        UpgradeReport upgrade = engine(f, Duration.ofHours(24)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, upgrade.state());
        assertFalse(java.util.Arrays.equals(f.db0, f.driver.content(f.volume0.id())), "the new version changed db-0");

        UpgradeReport rollback = engine(f, Duration.ofHours(24)).rollback(upgrade.jobId(), "tester@host", UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, rollback.state(), () -> rollback.error().orElse(""));
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()));
        assertArrayEquals(f.db1, f.driver.content(f.volume1.id()));
        assertFalse(f.driver.allDownSeen());
        assertTrue(f.driver.deletedVolumes().isEmpty());
    }

    @org.junit.jupiter.api.Test
    void aResumeAfterACrashInTheLinkStepFindsTheSnapshotItTookByName() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();
        f.jobs.crashInStepDone("S22");
        assertThrows(SimulatedCrash.class, () -> engine(f, Duration.ofHours(24)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE));
        long jobId = f.jobs.jobs("kv").get(0).id();
        assertEquals(List.of("duplex-job-" + jobId + "-kv-1"), snapshotNames(f, f.volume1));

        RollingUpgrade other = engine(f, Duration.ofHours(24));
        UpgradeReport resumed = other.withSettings(other.settings().withNode("other-node")).resume(jobId, UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, resumed.state(), () -> resumed.error().orElse(""));
        assertEquals(List.of("duplex-job-" + jobId + "-kv-1"), snapshotNames(f, f.volume1), "the same snapshot, not a second one");
        assertEquals(1, f.driver.changes().stream().filter(c -> c.startsWith("snapshot db-1")).count(), f.driver.changes().toString());

        UpgradeReport rollback = engine(f, Duration.ofHours(24)).rollback(jobId, "tester@host", UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, rollback.state(), () -> rollback.error().orElse(""));
        assertArrayEquals(f.db1, f.driver.content(f.volume1.id()), "the snapshot holds the bytes from before the crash");
    }

    @org.junit.jupiter.api.Test
    void thePlanSaysPerMemberWhetherASnapshotIsTaken() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();
        UpgradePlan plan = engine(f, Duration.ofHours(24)).plan(f.request(UpgradeStrategy.LINK));
        assertTrue(plan.notes().stream().anyMatch(n -> n.startsWith("kv-0: a snapshot (duplex-job-<job>-kv-0) of db-0 (endpoint lab,"
                + " driver fake) before its new version starts; a rollback restores it; kept for PT24H")), plan.notes().toString());
        assertTrue(plan.notes().stream().anyMatch(n -> n.startsWith("kv-1: a snapshot")), plan.notes().toString());
        assertTrue(f.driver.changes().isEmpty(), "a plan touches nothing: " + f.driver.changes());

        PairFixture without = new PairFixture();
        UpgradePlan unsafe = without.engine().plan(without.request(UpgradeStrategy.LINK));
        for (String member : List.of("kv-0", "kv-1")) {
            assertTrue(unsafe.notes().stream().anyMatch(n -> n.startsWith(member + ": no snapshot: endpoint lab (driver fake) cannot snapshot"
                    + " volumes, so rollback will not undo data changes")), unsafe.notes().toString());
        }

        UpgradePlan copies = engine(f, Duration.ofHours(24)).plan(f.request(UpgradeStrategy.SNAPSHOT_COPY));
        assertTrue(copies.notes().stream().anyMatch(n -> n.contains("no snapshot is taken")), copies.notes().toString());
    }

    @org.junit.jupiter.api.Test
    void withoutTheCapabilityTheUpgradeRunsAndTheJournalSaysTheRollbackCannotUndoData() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, report.state());
        Map<String, String> link = report.steps().stream().filter(s -> s.id().equals("S22")).findFirst().orElseThrow().outputs();
        assertTrue(link.get("snapshot").contains("rollback will not undo"), link.toString());
    }

    @org.junit.jupiter.api.Test
    void aVolumeTheDriverCannotSnapshotIsUpgradedWithoutOneAndTheJournalSaysWhy() {
        PairFixture f = pairWhoseNewVersionMigratesItsData();
        f.driver.refuseSnapshotsOf("db-1");

        UpgradeReport report = engine(f, Duration.ofHours(24)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        Map<String, String> link = report.steps().stream().filter(s -> s.id().equals("S22")).findFirst().orElseThrow().outputs();
        assertTrue(link.get("snapshot.db-1").startsWith("none: ") && link.get("snapshot.db-1").contains("rollback will not undo"),
                link.toString());
        assertEquals(List.of(), snapshotNames(f, f.volume1));
        assertEquals(1, snapshotNames(f, f.volume0).size(), "the other member's volume still gets its snapshot");
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
