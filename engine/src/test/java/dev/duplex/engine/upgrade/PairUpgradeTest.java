package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.role.Role;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairUpgradeTest {
    private static final List<String> S21_TO_S29 = List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29");

    @Test
    void linkRunsS21ToS29InTheSeedsOrderAndJournalsEachStepBeforeAndAfter() {
        PairFixture f = new PairFixture();
        f.app.lagFor(3);
        List<String> events = new ArrayList<>();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), new UpgradeListener() {
            @Override
            public void stepStarted(long jobId, StepInfo step) {
                events.add("start " + step.id());
            }

            @Override
            public void stepEnded(long jobId, StepInfo step, java.time.Duration elapsed, Map<String, String> outputs) {
                events.add("end " + step.id());
            }
        });

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(S21_TO_S29, report.steps().stream().map(StepTiming::id).toList());
        List<String> expectedEvents = new ArrayList<>();
        S21_TO_S29.forEach(id -> {
            expectedEvents.add("start " + id);
            expectedEvents.add("end " + id);
        });
        assertEquals(expectedEvents, events);
        List<String> journal = f.jobs.allRecords(report.jobId()).stream().map(r -> r.state() + " " + r.stepId()).toList();
        List<String> expectedJournal = new ArrayList<>();
        S21_TO_S29.forEach(id -> {
            expectedJournal.add("STARTED " + id);
            expectedJournal.add("DONE " + id);
        });
        assertEquals(expectedJournal, journal);

        // the standby first, the switchover in the middle, then the old active; the same volumes throughout
        assertEquals(List.of("stop kv-1", "delete kv-1", "create kv-1-j1 from v2", "start kv-1-j1",
                "stop kv-0", "delete kv-0", "create kv-0-j1 from v2", "start kv-0-j1"), f.driver.changes());
        assertEquals(1, f.app.switchovers());
        assertEquals(Map.of("kv-1", Role.ACT, "kv-0", Role.SBY), f.app.currentRoles());
        assertEquals(1, f.inventory.pair("kv").orElseThrow().activeSystem());
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals("v2", f.record(member).image());
            assertEquals(VmState.RUNNING, f.vmOf(member).state());
            assertEquals(VolumeLink.Mode.MOUNT_AT_BOOT, f.vmOf(member).links().get(0).mode());
        }
        assertEquals(List.of(new LinkRecord("db-0", "data", VolumeLink.Mode.MOUNT_AT_BOOT)), f.record("kv-0").links());
        assertEquals(f.volume0, f.vmOf("kv-0").links().get(0).volume());
        assertEquals(f.volume1, f.vmOf("kv-1").links().get(0).volume());
        assertEquals(Map.of("port", "8081"), f.record("kv-1").properties());
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()));
        assertArrayEquals(f.db1, f.driver.content(f.volume1.id()));
        assertTrue(f.driver.deletedVolumes().isEmpty());
        assertFalse(f.driver.allDownSeen());

        assertEquals(0, report.bytesCopied());
        assertEquals(2, report.singleSideWindows().size());
        assertEquals("kv-0", report.singleSideWindows().get(0).servedBy());
        assertEquals("kv-1", report.singleSideWindows().get(1).servedBy());
        assertTrue(report.switchoverGap().isPresent());
        List<String> actions = f.audit.recent(10).stream().map(e -> e.action()).toList();
        assertEquals(List.of("upgrade.succeeded", "upgrade.run"), actions);
    }

    @Test
    void anUpgradeAsksTheDriverForVmsByNameAndByVolumeAndNeverListsTheEndpoint() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        // a listing grows with the endpoint: once per pair and step, a fleet of n pairs would cost n^2
        assertEquals(0, f.driver.listings());
    }

    @Test
    void copyAtBootLinksTheSameVolumesToBeCopiedInAtBoot() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.COPY_AT_BOOT), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(VolumeLink.Mode.COPY_AT_BOOT, f.vmOf("kv-0").links().get(0).mode());
        assertEquals(f.volume0, f.vmOf("kv-0").links().get(0).volume());
        assertEquals(f.volume1, f.vmOf("kv-1").links().get(0).volume());
        assertEquals(2L * PairFixture.DB_SIZE, report.bytesCopied());
        assertTrue(f.driver.deletedVolumes().isEmpty());
    }

    @Test
    void snapshotCopyLinksNewVmsToCopiesAndKeepsTheOriginalVolumes() {
        PairFixture f = new PairFixture();
        List<Long> progress = new ArrayList<>();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.SNAPSHOT_COPY), new UpgradeListener() {
            @Override
            public void copyProgress(long jobId, StepInfo step, long copiedBytes, long totalBytes) {
                progress.add(copiedBytes);
            }
        });

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(2L * PairFixture.DB_SIZE, report.bytesCopied());
        assertFalse(progress.isEmpty());
        assertEquals("db-0-j1", f.record("kv-0").links().get(0).volume());
        assertEquals("db-1-j1", f.record("kv-1").links().get(0).volume());
        assertTrue(f.inventory.volume("db-0-j1").isPresent(), "the inventory records the new volume");
        assertTrue(f.inventory.volume("db-0").isPresent(), "the original volume is kept in the inventory");
        String copy0 = f.inventory.volume("db-0-j1").orElseThrow().driverRef();
        assertEquals(copy0, f.vmOf("kv-0").links().get(0).volume().id());
        assertArrayEquals(f.db0, f.driver.content(copy0));
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()));
        assertEquals(4, f.driver.listVolumes().size());
        assertTrue(f.driver.deletedVolumes().isEmpty());
        assertFalse(f.driver.allDownSeen());
    }

    @Test
    void resyncGateTimeoutAbortsBeforeTheSwitchoverWithTheActiveUntouched() {
        PairFixture f = new PairFixture();
        f.app.neverInSync();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.FAILED, report.state());
        assertTrue(report.error().orElseThrow().contains("did not report in sync"), report.error().orElseThrow());
        assertTrue(report.error().orElseThrow().contains("The switchover did not happen"), report.error().orElseThrow());
        assertEquals(List.of("S21", "S22", "S23", "S24"), report.steps().stream().map(StepTiming::id).toList());
        assertEquals(StepState.FAILED, report.step("S24").orElseThrow().state());
        assertEquals(0, f.app.switchovers());
        assertEquals(Role.ACT, f.app.currentRoles().get("kv-0"));
        assertEquals(0, f.inventory.pair("kv").orElseThrow().activeSystem());
        assertEquals(f.vm0.id(), f.record("kv-0").driverRef(), "the active was not touched");
        assertEquals(VmState.RUNNING, f.vmOf("kv-0").state());
        assertTrue(f.driver.changes().stream().noneMatch(c -> c.contains("kv-0")), f.driver.changes().toString());
        assertEquals(JobState.FAILED, f.jobs.job(report.jobId()).orElseThrow().state());
    }

    @Test
    void aNewImageThatFailsItsHealthCheckOnTheStandbyIsReplacedByTheOldOneOnTheSameVolume() {
        PairFixture f = new PairFixture();
        f.app.breakImage("v2");
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.FAILED, report.state());
        String error = report.error().orElseThrow();
        assertTrue(error.contains("S23") && error.contains("did not report healthy") && error.contains("back on its old image v1"), error);
        assertEquals(List.of("S21", "S22", "S23", "R0", "R1", "R2"), report.steps().stream().map(StepTiming::id).toList());
        assertEquals("v1", f.record("kv-1").image());
        assertEquals(VmState.RUNNING, f.vmOf("kv-1").state());
        assertEquals("kv-1", f.vmOf("kv-1").vm().name(), "the old VM is re-created under its old name");
        assertEquals(f.volume1, f.vmOf("kv-1").links().get(0).volume(), "the same volume");
        assertEquals(List.of(new LinkRecord("db-1", "data", VolumeLink.Mode.MOUNT_AT_BOOT)), f.record("kv-1").links());
        assertEquals(f.vm0.id(), f.record("kv-0").driverRef(), "the active was never touched");
        assertTrue(f.driver.changes().stream().noneMatch(c -> c.contains("kv-0")), f.driver.changes().toString());
        assertTrue(f.driver.listVms().stream().noneMatch(vm -> vm.vm().name().equals("kv-1-j1")), "the failed VM is gone");
        assertEquals(0, f.app.switchovers());
        assertTrue(f.driver.deletedVolumes().isEmpty());
        assertEquals(JobState.FAILED, f.jobs.job(report.jobId()).orElseThrow().state());
    }

    @Test
    void aStepThatWouldStopTheLastRunningMemberRefuses() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), new UpgradeListener() {
            @Override
            public void stepStarted(long jobId, StepInfo step) {
                if (step.id().equals("S21")) {
                    f.driver.crash("kv-0"); // the active dies on its own just as the standby is to be stopped
                }
            }
        });

        assertEquals(JobState.FAILED, report.state());
        assertTrue(report.error().orElseThrow().contains("Refusing to stop kv-1"), report.error().orElseThrow());
        assertEquals(VmState.RUNNING, f.vmOf("kv-1").state(), "the standby still runs");
        assertTrue(f.driver.changes().isEmpty(), f.driver.changes().toString());
    }

    @Test
    void theOldActiveIsNotStoppedWhenTheNewActiveIsDown() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), new UpgradeListener() {
            @Override
            public void stepStarted(long jobId, StepInfo step) {
                if (step.id().equals("S26")) {
                    f.driver.crash("kv-1-j1");
                }
            }
        });

        assertEquals(JobState.FAILED, report.state());
        assertTrue(report.error().orElseThrow().contains("Refusing to stop kv-0"), report.error().orElseThrow());
        assertEquals(VmState.RUNNING, f.vmOf("kv-0").state());
    }

    @Test
    void aMemberThatReportsActIsNotStopped() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), new UpgradeListener() {
            @Override
            public void stepStarted(long jobId, StepInfo step) {
                if (step.id().equals("S21")) {
                    f.app.failOverTo("kv-1"); // the application failed over on its own
                }
            }
        });

        assertEquals(JobState.FAILED, report.state());
        assertTrue(report.error().orElseThrow().contains("it reports role ACT, not SBY"), report.error().orElseThrow());
        assertTrue(f.driver.changes().isEmpty(), f.driver.changes().toString());
    }

    @Test
    void theResyncGateKeepsAskingAStandbyThatDoesNotAnswerYet() {
        PairFixture f = new PairFixture();
        f.app.unreachableFor(3);
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals("4", report.step("S24").orElseThrow().outputs().get("polls"));
    }

    @Test
    void aRunWaitsForTheStandbyToCatchUp() {
        PairFixture f = new PairFixture();
        f.app.lagFor(5);
        List<String> waits = new ArrayList<>();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), new UpgradeListener() {
            @Override
            public void waiting(long jobId, StepInfo step, String what) {
                waits.add(step.id() + " " + what);
            }
        });
        assertEquals(JobState.SUCCEEDED, report.state());
        assertEquals(5, waits.size(), waits.toString());
        assertTrue(waits.get(0).startsWith("S24 standby kv-1: lag 5"), waits.toString());
        assertEquals("6", report.step("S24").orElseThrow().outputs().get("polls"));
    }

    @Test
    void rollbackOfASucceededUpgradeBringsBothMembersBackOnTheOldImageWithTheSameVolumes() {
        PairFixture f = new PairFixture();
        UpgradeReport upgrade = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, upgrade.state());

        UpgradeReport rollback = f.engine().rollback(upgrade.jobId(), "tester@host", UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, rollback.state(), () -> rollback.error().orElse(""));
        assertEquals("rollback", rollback.kind());
        assertNotEquals(upgrade.jobId(), rollback.jobId());
        assertEquals(List.of("R0", "R1", "R2", "R3", "R4", "R5"), rollback.steps().stream().map(StepTiming::id).toList());
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals("v1", f.record(member).image());
            assertEquals(member, f.vmOf(member).vm().name());
            assertEquals(VmState.RUNNING, f.vmOf(member).state());
        }
        assertEquals(f.volume0, f.vmOf("kv-0").links().get(0).volume());
        assertEquals(f.volume1, f.vmOf("kv-1").links().get(0).volume());
        assertEquals(2, f.driver.listVms().size());
        assertTrue(f.driver.deletedVolumes().isEmpty());
        assertFalse(f.driver.allDownSeen());
        assertEquals(Map.of("kv-0", Role.ACT, "kv-1", Role.SBY), f.app.currentRoles());
        assertEquals(JobState.SUCCEEDED, f.jobs.job(upgrade.jobId()).orElseThrow().state(), "the upgrade job keeps its own state");
    }

    @Test
    void rollbackAfterAResyncTimeoutRestoresOnlyTheStandby() {
        PairFixture f = new PairFixture();
        f.app.neverInSync();
        UpgradeReport upgrade = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.FAILED, upgrade.state());

        f.app.inSyncAgain(); // the operator fixed the replication, then rolls back
        UpgradeReport rollback = f.engine().rollback(upgrade.jobId(), "tester@host", UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, rollback.state(), () -> rollback.error().orElse(""));
        assertEquals("v1", f.record("kv-1").image());
        assertEquals(f.volume1, f.vmOf("kv-1").links().get(0).volume());
        assertEquals(List.of("R0", "R1", "R2"), rollback.steps().stream().map(StepTiming::id).toList());
        assertEquals(0, f.app.switchovers());
        assertEquals(f.vm0.id(), f.record("kv-0").driverRef());
    }

    @Test
    void eachStepHasItsJournalRecordsWithTheirOutputs() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        List<StepRecord> journal = f.jobs.journal(report.jobId());
        StepRecord s22 = journal.stream().filter(r -> r.stepId().equals("S22")).findFirst().orElseThrow();
        assertEquals("kv-1-j1", s22.outputs().get("vm-name"));
        assertEquals(f.record("kv-1").driverRef(), s22.outputs().get("vm-ref"));
        StepRecord s23 = journal.stream().filter(r -> r.stepId().equals("S23")).findFirst().orElseThrow();
        assertEquals("2.0", s23.outputs().get("version"));
        assertTrue(journal.stream().allMatch(r -> r.outputs().containsKey("elapsed-ms")));
        assertEquals(report, f.engine().status(report.jobId()));
    }

    @Test
    void aStepsDoneIsJournaledWithTheNextStepsStartInOneWriteAndTheLastWithTheJobsEnd() {
        PairFixture f = new PairFixture();
        RecordedJournalWrites counted = new RecordedJournalWrites(f.jobs);
        List<String> writes = counted.writes();
        UpgradeReport report = f.engine(pair -> f.app, counted).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        List<String> steps = List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29");
        List<String> expected = new ArrayList<>(List.of("started S21"));
        for (int i = 1; i < steps.size(); i++) {
            expected.add("done " + steps.get(i - 1) + ", started " + steps.get(i));
        }
        expected.add("done S29, finish SUCCEEDED");
        assertEquals(expected, writes.stream().filter(w -> w.matches("(started|done|finish) .*") && !w.contains("/")).toList());
        assertTrue(f.jobs.journal(report.jobId()).stream().allMatch(r -> r.state() == StepState.DONE), f.jobs.journal(report.jobId()).toString());
    }
}
