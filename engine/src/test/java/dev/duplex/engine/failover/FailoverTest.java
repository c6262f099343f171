package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.SyncPath;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverTest {
    private final FailoverFixture fixture = new FailoverFixture();

    @Test
    void smallChangeIsAppliedAsTheStoredDiffThenTheStandbyStarts() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 5);
        fixture.push().push("kv", active);

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals(SyncPath.DIFF, report.sync().performed(), report.sync().reason());
        assertTrue(report.sync().reason().contains("half-size rule"), report.sync().reason());
        assertTrue(FailoverFixture.sameItems(active, fixture.driver.environmentOf("id-1")));
        assertEquals(List.of("stop id-0 FORCE", "env-write id-1 1->2", "start id-1"), fixture.driver.events());
        assertEquals(VmState.RUNNING, fixture.driver.state(new VmRef("id-1", "kv-1")));
        assertEquals(VmState.STOPPED, fixture.driver.state(new VmRef("id-0", "kv-0")));
        assertEquals("kv-1", fixture.inventory.pair("kv").orElseThrow().active());
        assertEquals("kv-0", report.oldActive());
        assertEquals("kv-1", report.newActive());
        assertTrue(report.fence().confirmed());
        assertTrue(report.total().compareTo(report.syncTime()) >= 0);

        Job job = fixture.jobs.job(report.jobId()).orElseThrow();
        assertEquals("failover", job.kind());
        assertEquals(JobState.SUCCEEDED, job.state());
        List<StepRecord> journal = fixture.jobs.journal(report.jobId());
        assertEquals(List.of("fence", "sync", "start", "promote", "record-roles"), journal.stream().map(StepRecord::stepId).toList());
        assertEquals(dev.duplex.api.role.Role.ACT, fixture.app.roleOf("kv-1"), "the application serves as ACT, not only the inventory");
        assertEquals(List.of("health kv-1", "promote kv-1", "role kv-1"), fixture.app.calls());
        assertTrue(journal.stream().allMatch(r -> r.state() == StepState.DONE), journal.toString());
        assertEquals("DIFF", journal.get(1).outputs().get("performed"));
        assertEquals("pair.failover", fixture.audit.recent(1).get(0).action());
        assertTrue(FailoverFixture.sameItems(active, fixture.archive.latestRevision("kv-1").orElseThrow().snapshot()),
                "the new active's info is recorded as its latest");
    }

    @Test
    void failingBackWithoutAnotherPushExtractsTheDiffAtFailoverAndChoosesAsUsual() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 5);
        fixture.push().push("kv", active);
        fixture.failover().failover("kv", false, "ops@host");
        assertTrue(fixture.archive.diff("kv-0", 1, 2).isEmpty(), "no diff is stored for a fail-back");

        FailoverReport back = fixture.failover().failover("kv", false, "ops@host");

        assertEquals(SyncPath.DIFF, back.sync().performed(), back.sync().reason());
        assertTrue(FailoverFixture.sameItems(active, fixture.driver.environmentOf("id-0")));
    }

    @Test
    void aStandbyWhoseContentDoesNotMatchItsRevisionIsWrittenWholeBeforeItBoots() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 5);
        fixture.push().push("kv", active);
        // A write that was verified wrong, or changed behind Duplex's back: revision 2, other bytes.
        fixture.driver.addVm("id-1", VmState.STOPPED, new EnvironmentSnapshot(2, fixture.activeInfo(2, 9).items()));

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals(SyncPath.FULL, report.sync().performed(), report.sync().reason());
        assertTrue(report.sync().reason().contains("does not match the recorded one (item 'settings' differs)"), report.sync().reason());
        assertTrue(FailoverFixture.sameItems(active, fixture.driver.environmentOf("id-1")));
        assertEquals(List.of("stop id-0 FORCE", "env-write id-1 2->2", "start id-1"), fixture.driver.events());
    }

    @Test
    void infoTheStandbysStoreCannotUseIsRefusedBeforeTheActiveIsFenced() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 5);
        fixture.push().push("kv", active);
        fixture.driver.refuseInfoAsUnusable("id-1", "the 'settings' item is 8192 bytes, but it is VM kv-1's UEFI variable store of 540672");

        Exception refused = assertThrows(Exception.class, () -> fixture.failover().failover("kv", false, "ops@host"));

        assertTrue(refused.getMessage().contains("cannot be used by the standby kv-1")
                && refused.getMessage().contains("540672") && refused.getMessage().contains("kv-0 still serves"), refused.getMessage());
        assertEquals(List.of(), fixture.driver.events(), "nothing was stopped, written or started");
        assertEquals(VmState.RUNNING, fixture.driver.state(new VmRef("id-0", "kv-0")));
        assertEquals("kv-0", fixture.inventory.pair("kv").orElseThrow().active());
    }

    @Test
    void aPushOfInfoTheStandbyCannotUseRecordsNothing() {
        fixture.driver.refuseInfoAsUnusable("id-1", "not a UEFI variable store");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> fixture.push().push("kv", fixture.activeInfo(2, 5)));

        assertTrue(refused.getMessage().contains("kv-1") && refused.getMessage().contains("not a UEFI variable store")
                && refused.getMessage().contains("nothing was recorded"), refused.getMessage());
        assertTrue(fixture.archive.latestRevision("kv-0").isEmpty());
    }

    @Test
    void aFullWriteCanBeAskedFor() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 5);
        fixture.push().push("kv", active);

        FailoverReport report = fixture.failover().failover("kv", false, true, "ops@host");

        assertEquals(SyncPath.FULL, report.sync().performed());
        assertTrue(report.sync().reason().contains("--full"), report.sync().reason());
        assertTrue(FailoverFixture.sameItems(active, fixture.driver.environmentOf("id-1")));
    }

    @Test
    void largeChangeIsWrittenWhole() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 60_000);
        fixture.push().push("kv", active);

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals(SyncPath.FULL, report.sync().decision().path(), report.sync().reason());
        assertEquals(SyncPath.FULL, report.sync().performed());
        assertTrue(FailoverFixture.sameItems(active, fixture.driver.environmentOf("id-1")));
        assertEquals("kv-1", fixture.inventory.pair("kv").orElseThrow().active());
    }

    @Test
    void theCalibratedModelDecidesAndIsCorrectedByWhatWasMeasured() {
        // a store where a patch costs a second per entry: even a tiny diff loses to a full write
        fixture.archive.saveCalibration("kv-1", new CostModel(0, 1e9, 0, 1000, 1, 0).toMap());
        EnvironmentSnapshot active = fixture.activeInfo(2, 1);
        fixture.push().push("kv", active);

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals(SyncPath.FULL, report.sync().performed(), report.sync().reason());
        assertTrue(report.sync().decision().predictedDiff().isPresent());
        assertTrue(report.sync().decision().predictedFull().isPresent());
        assertTrue(FailoverFixture.sameItems(active, fixture.driver.environmentOf("id-1")));
        assertEquals(2, fixture.archive.calibrationCount("kv-1"));
        assertEquals(1, CostModel.fromMap(fixture.archive.calibration("kv-1").orElseThrow()).observations());
    }

    @Test
    void equalRevisionsWithEqualContentWriteNothing() {
        fixture.push().push("kv", new EnvironmentSnapshot(1, fixture.standbyInfo.items()));

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals(SyncPath.NONE, report.sync().performed());
        assertEquals(List.of("stop id-0 FORCE", "start id-1"), fixture.driver.events());
    }

    @Test
    void withNothingRecordedTheStandbyKeepsItsOwnInfo() {
        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals(SyncPath.NONE, report.sync().performed());
        assertTrue(report.sync().reason().contains("no environment info of kv-0"), report.sync().reason());
        assertEquals("kv-1", fixture.inventory.pair("kv").orElseThrow().active());
    }

    @Test
    void anUnreachableActiveRefusesTheFailoverWithoutForce() {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        fixture.driver.unreachable.add("id-0");

        var e = assertThrows(FenceRefusedException.class, () -> fixture.failover().failover("kv", false, "ops@host"));

        assertTrue(e.getMessage().contains("two actives"), e.getMessage());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertTrue(e.getMessage().contains("kv-0"), e.getMessage());
        assertTrue(fixture.driver.events().isEmpty(), fixture.driver.events().toString());
        assertEquals(VmState.STOPPED, fixture.driver.state(new VmRef("id-1", "kv-1")));
        assertEquals(1, fixture.driver.environmentOf("id-1").revision());
        assertEquals("kv-0", fixture.inventory.pair("kv").orElseThrow().active());
        Job job = fixture.jobs.jobs("kv").get(0);
        assertEquals(JobState.FAILED, job.state());
        assertEquals(StepState.FAILED, fixture.jobs.journal(job.id()).get(0).state());
        assertTrue(fixture.jobs.liveJob("kv").isEmpty(), "a refused failover must release the pair");
    }

    @Test
    void anUnreachableActiveIsSkippedWhenForced() {
        EnvironmentSnapshot active = fixture.activeInfo(2, 5);
        fixture.push().push("kv", active);
        fixture.driver.unreachable.add("id-0");

        FailoverReport report = fixture.failover().failover("kv", true, "ops@host");

        assertFalse(report.fence().confirmed());
        assertTrue(report.fence().detail().contains("NOT confirmed"), report.fence().detail());
        assertTrue(FailoverFixture.sameItems(active, fixture.driver.environmentOf("id-1")));
        assertEquals(VmState.RUNNING, fixture.driver.state(new VmRef("id-1", "kv-1")));
        assertEquals("kv-1", fixture.inventory.pair("kv").orElseThrow().active());
    }

    @Test
    void anActiveThatStaysUpIsRefusedAfterTheTimeout() {
        fixture.driver.ignoresStop.add("id-0");
        Fence quick = new Fence(fixture.drivers, Duration.ofMillis(30), Duration.ofMillis(5), System::nanoTime);

        var e = assertThrows(FenceRefusedException.class, () -> fixture.failover(quick).failover("kv", false, "ops@host"));

        assertTrue(e.getMessage().contains("still RUNNING"), e.getMessage());
        assertEquals(List.of("stop id-0 FORCE"), fixture.driver.events());
    }

    @Test
    void aSecondLiveJobOnThePairIsRefused() {
        fixture.jobs.create("upgrade", "kv", "someone@else", Map.of());

        assertThrows(LiveJobExistsException.class, () -> fixture.failover().failover("kv", false, "ops@host"));

        assertTrue(fixture.driver.events().isEmpty());
    }

    @Test
    void aFailoverInProgressOnAnotherNodeIsRefused() {
        Job running = fixture.jobs.create("failover", "kv", "someone@else", Map.of());
        fixture.jobs.claim(running.id(), "node-b", Duration.ofMinutes(2));

        assertThrows(LiveJobExistsException.class, () -> fixture.failover().failover("kv", false, "ops@host"));

        assertEquals(JobState.RUNNING, fixture.jobs.job(running.id()).orElseThrow().state());
        assertTrue(fixture.driver.events().isEmpty());
    }

    @Test
    void aFailoverWhoseNodeDiedIsEndedAndRunAgain() {
        Job abandoned = fixture.jobs.create("failover", "kv", "someone@else", Map.of());
        fixture.jobs.claim(abandoned.id(), "node-b", Duration.ofMinutes(2));
        fixture.staleAfter = Duration.ZERO; // node-b's heartbeat is as old as can be

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        Job ended = fixture.jobs.job(abandoned.id()).orElseThrow();
        assertEquals(JobState.FAILED, ended.state());
        assertTrue(ended.error().orElseThrow().contains("abandoned"), ended.toString());
        assertEquals(JobState.SUCCEEDED, fixture.jobs.job(report.jobId()).orElseThrow().state());
        assertEquals("kv-1", fixture.inventory.pair("kv").orElseThrow().active());
    }

    @Test
    void aRunningStandbyIsRefusedBeforeAnythingIsTouched() {
        fixture.driver.start(new VmRef("id-1", "kv-1"));

        var e = assertThrows(IllegalStateException.class, () -> fixture.failover().failover("kv", false, "ops@host"));

        assertTrue(e.getMessage().contains("is RUNNING"), e.getMessage());
        assertEquals(List.of("start id-1"), fixture.driver.events());
        assertEquals(JobState.FAILED, fixture.jobs.jobs("kv").get(0).state());
    }

    @Test
    void failingBackAfterAPushToTheNewStandbyWorks() {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        fixture.failover().failover("kv", false, "ops@host");
        // kv-1 is active now, kv-0 (still at revision 1) the cold standby
        EnvironmentSnapshot newer = fixture.activeInfo(3, 9);
        PushReport push = fixture.push().push("kv", newer);
        assertEquals("kv-1", push.active());
        assertEquals("kv-0", push.standby());

        FailoverReport back = fixture.failover().failover("kv", false, "ops@host");

        assertEquals("kv-0", back.newActive());
        assertTrue(FailoverFixture.sameItems(newer, fixture.driver.environmentOf("id-0")));
    }

    @Test
    void aStandbyThatRefusesToBePromotedFailsTheFailoverAndIsStoppedAgainSoItCanBeRetried() {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        fixture.app.refusePromotion();

        FailoverException e = assertThrows(FailoverException.class, () -> fixture.failover().failover("kv", false, "ops@host"));

        assertTrue(e.getMessage().contains("kv-1 was started but did not take over as the active"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
        assertTrue(e.getMessage().contains("kv-1 was stopped again"), e.getMessage());
        assertTrue(e.getMessage().contains("run 'duplex failover kv' again"), e.getMessage());
        assertEquals("kv-0", fixture.inventory.pair("kv").orElseThrow().active(), "no role recorded that nobody serves");
        assertEquals(VmState.STOPPED, fixture.driver.state(new VmRef("id-1", "kv-1")));
        assertEquals(VmState.STOPPED, fixture.driver.state(new VmRef("id-0", "kv-0")), "the old active stays fenced");

        fixture.app.acceptPromotionAgain();
        FailoverReport retried = fixture.failover().failover("kv", false, "ops@host");
        assertEquals("kv-1", retried.newActive());
        assertEquals(dev.duplex.api.role.Role.ACT, fixture.app.roleOf("kv-1"));
    }

    @Test
    void aPromotionWhoseAnswerIsLostButThatTookEffectCompletesTheFailover() {
        fixture.app.loseNextPromoteAnswer();

        FailoverReport report = fixture.failover().failover("kv", false, "ops@host");

        assertEquals("kv-1", report.newActive());
        assertEquals("kv-1", fixture.inventory.pair("kv").orElseThrow().active());
        assertEquals(List.of("promote kv-1", "promote kv-1"), fixture.app.calls().stream().filter(c -> c.startsWith("promote")).toList(),
                "asked again once it reported ACT, so what is composed after the promotion runs");
        assertEquals(VmState.RUNNING, fixture.driver.state(new VmRef("id-1", "kv-1")), "not stopped again");
    }

    @Test
    void aStandbyThatStaysSbyAfterPromotionFailsTheFailover() {
        fixture.app.ignorePromotion();

        FailoverException e = assertThrows(FailoverException.class, () -> fixture.failover().failover("kv", false, "ops@host"));

        assertTrue(e.getMessage().contains("was promoted but still reports SBY"), e.getMessage());
        assertEquals("kv-0", fixture.inventory.pair("kv").orElseThrow().active());
    }

    @Test
    void aPairWhoseRoleControllerCannotPromoteIsRefusedBeforeAnythingIsFenced() {
        Failover failover = new Failover(fixture.inventory, fixture.archive, fixture.jobs, fixture.audit, fixture.drivers,
                pair -> new FakeApplication(fixture.driver) {
                    @Override
                    public boolean canPromote() {
                        return false;
                    }
                }, "node-a");

        var e = assertThrows(IllegalArgumentException.class, () -> failover.failover("kv", false, "ops@host"));

        assertTrue(e.getMessage().contains("cannot promote a member while its peer is down"), e.getMessage());
        assertTrue(fixture.driver.events().isEmpty(), fixture.driver.events().toString());
    }

    @Test
    void aPairWithoutARoleControllerIsRefusedBeforeAnythingIsFenced() {
        Failover failover = new Failover(fixture.inventory, fixture.archive, fixture.jobs, fixture.audit, fixture.drivers,
                new dev.duplex.engine.role.RoleControllers(), "node-a");

        var e = assertThrows(IllegalArgumentException.class, () -> failover.failover("kv", false, "ops@host"));

        assertTrue(e.getMessage().contains("--role-controller type=http"), e.getMessage());
        assertTrue(fixture.driver.events().isEmpty(), fixture.driver.events().toString());
    }
}
