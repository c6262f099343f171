package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.role.ForwardingRoleController;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * S25's switching call (a switchover, a takeover after a demote, a promotion) fails — the
 * controller's request timed out, its answer was lost — yet the application may finish the switch
 * anyway. The engine asks the members until they report it or the settle time passes: a switch they
 * report is recorded and the upgrade carries on (repeating the call, so that what is composed after
 * it runs); one they do not report fails the job saying what each member reports.
 */
class SwitchCallFailureTest {
    private static final long SETTLE_MS = 300;

    @Test
    void aTakeoverWhoseAnswerIsLostButThatTheApplicationFinishesLaterCarriesOn() {
        PairFixture f = fixture();
        DemotingApplication demoting = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.TO_SBY);
        LateApplication app = new LateApplication(demoting, Late.FINISHES_AFTER_TWO_READS);
        List<String> waited = new ArrayList<>();
        UpgradeListener watching = new UpgradeListener() {
            @Override
            public void waiting(long jobId, StepInfo step, String what) {
                waited.add(step.id() + " " + what);
            }
        };

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), watching);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertTrue(waited.stream().anyMatch(w -> w.startsWith("S25 the members to report the switch (up to 300 ms): the takeover of kv-1 failed (")),
                "the operator is told what the step waits for: " + waited);
        Map<String, String> s25 = report.step("S25").orElseThrow().outputs();
        assertTrue(s25.get("switch-call-failed").contains("no answer within 5000 ms"), s25.toString());
        assertEquals("SBY", s25.get("old-active"));
        assertEquals(List.of("demote kv-0", "takeOver kv-1", "takeOver kv-1"), demoting.calls(),
                "the takeover is asked again once kv-1 reports ACT, so an action composed after it runs");
        assertEquals(List.of(), demoting.bothTookWrites());
        assertEquals(1, f.inventory.pair("kv").orElseThrow().activeSystem());
        assertEquals(Map.of("kv-1", Role.ACT, "kv-0", Role.SBY), f.app.currentRoles());
        assertEquals("v2", f.record("kv-0").image(), "the upgrade went on past S25 to the old active");
    }

    @Test
    void aTakeoverThatFailedAndNeverHappenedFailsTheJobSayingNoMemberIsActive() {
        PairFixture f = fixture();
        DemotingApplication demoting = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.TO_SBY);
        LateApplication app = new LateApplication(demoting, Late.NEVER);
        long started = System.nanoTime();

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.FAILED, report.state());
        String error = report.error().orElseThrow();
        assertTrue(error.contains("takeover of kv-1 failed (") && error.contains("no answer within 5000 ms"),
                error);
        assertTrue(error.contains("kv-1 reports SBY, kv-0 reports SBY") && error.contains("No member reports ACT"), error);
        assertTrue(error.contains("duplex upgrade rollback " + report.jobId()), "names the operator's next command: " + error);
        assertTrue((System.nanoTime() - started) / 1_000_000 >= SETTLE_MS, "the members were given the settle time");
        assertEquals(0, f.inventory.pair("kv").orElseThrow().activeSystem(), "the inventory still names kv-0");
        assertEquals("v1", f.record("kv-0").image(), "the old active was not touched");
    }

    @Test
    void theRollbackOfATakeoverThatNeverHappenedMakesTheOldActiveServeFirst() {
        PairFixture f = fixture();
        DemotingApplication demoting = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.TO_SBY);
        UpgradeReport failed = f.engine(pair -> new LateApplication(demoting, Late.NEVER)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(Map.of("kv-0", Role.SBY, "kv-1", Role.SBY), f.app.currentRoles(), "no member serves");

        UpgradeReport rollback = f.engine().rollback(failed.jobId(), "operator", UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, rollback.state(), () -> rollback.error().orElse(""));
        assertEquals(List.of("R0", "R1", "R2", "R3"), rollback.steps().stream().map(StepTiming::id).toList());
        assertTrue(rollback.step("R1").orElseThrow().action().startsWith("switch over: kv-0 ACT"), rollback.steps().toString());
        assertEquals(Map.of("kv-0", Role.ACT, "kv-1", Role.SBY), f.app.currentRoles());
        assertEquals(0, f.inventory.pair("kv").orElseThrow().activeSystem());
        assertEquals("v1", f.record("kv-1").image());
        assertFalse(f.driver.allDownSeen());
    }

    @Test
    void theRollbackOfAPromotionThatNeverHappenedStartsTheStoppedOldActiveAndMakesItServeFirst() {
        PairFixture f = fixture();
        DemotingApplication demoting = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.FAILS);
        UpgradeReport failed = f.engine(pair -> new LateApplication(demoting, Late.NEVER)).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(dev.duplex.api.VmState.STOPPED, f.vmOf("kv-0").state(), "S25 stopped the old active before the promotion");

        UpgradeReport rollback = f.engine().rollback(failed.jobId(), "operator", UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, rollback.state(), () -> rollback.error().orElse(""));
        assertTrue(rollback.step("R1").orElseThrow().action().startsWith("start kv-0 again on its old image v1"), rollback.steps().toString());
        assertTrue(rollback.step("R2").orElseThrow().action().startsWith("switch over: kv-0 ACT"), rollback.steps().toString());
        assertEquals(Map.of("kv-0", Role.ACT, "kv-1", Role.SBY), f.app.currentRoles());
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals("v1", f.record(member).image());
            assertEquals(dev.duplex.api.VmState.RUNNING, f.vmOf(member).state());
        }
        assertEquals(0, f.inventory.pair("kv").orElseThrow().activeSystem());
    }

    @Test
    void aSwitchoverWhoseAnswerWasLostAfterItSwitchedCarriesOn() {
        PairFixture f = fixture();
        LateApplication app = new LateApplication(f.app, Late.SWITCHES_THEN_TIMES_OUT);

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(2, f.app.switchovers(), "the switchover was asked again once the members reported it");
        assertEquals(1, f.app.roleMoves());
        assertEquals("SBY", report.step("S25").orElseThrow().outputs().get("old-active"));
        assertEquals(1, f.inventory.pair("kv").orElseThrow().activeSystem());
    }

    @Test
    void aSwitchoverThatFailedAndChangedNothingSaysTheOldActiveStillServes() {
        PairFixture f = fixture();
        LateApplication app = new LateApplication(f.app, Late.NEVER);

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.FAILED, report.state());
        String error = report.error().orElseThrow();
        assertTrue(error.contains("kv-1 reports SBY, kv-0 reports ACT") && error.contains("Nothing switched: kv-0 still serves"), error);
        assertEquals(Map.of("kv-0", Role.ACT, "kv-1", Role.SBY), f.app.currentRoles());
        assertEquals(0, f.inventory.pair("kv").orElseThrow().activeSystem());
    }

    @Test
    void whenTheRepeatedCallFailsTooTheInventoryStillRecordsTheSwitchTheMembersReported() {
        PairFixture f = fixture();
        LateApplication app = new LateApplication(f.app, Late.ALWAYS_TIMES_OUT_AFTER_SWITCHING);

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.FAILED, report.state());
        String error = report.error().orElseThrow();
        assertTrue(error.contains("the inventory records kv-1 as the active") && error.contains("Check that clients reach kv-1"), error);
        assertEquals(1, f.inventory.pair("kv").orElseThrow().activeSystem(), "the inventory follows what the members report");
        assertFalse(f.driver.allDownSeen(), "never both members down");
    }

    /** The usual pair, whose members get {@value #SETTLE_MS} ms to report a switch after a failed call. */
    private static PairFixture fixture() {
        PairFixture f = new PairFixture();
        PairRecord pair = f.inventory.pair("kv").orElseThrow();
        f.inventory.dissolvePair("kv");
        f.inventory.addPair(new PairRecord(pair.name(), pair.system0(), pair.system1(), pair.activeSystem(), pair.standbyKind(),
                pair.roleController(), Map.of("timeout-ms", "500", "poll-ms", "5", "health-timeout-ms", "200",
                        "switchover-settle-ms", Long.toString(SETTLE_MS))));
        f.inventory.forgetChanges();
        return f;
    }

    enum Late {
        /** The first switching call times out; the application takes the role two role reads later. */
        FINISHES_AFTER_TWO_READS,
        /** The first switching call switches, then its answer is lost. */
        SWITCHES_THEN_TIMES_OUT,
        /** Every switching call switches, then times out. */
        ALWAYS_TIMES_OUT_AFTER_SWITCHING,
        /** Switching calls time out and change nothing. */
        NEVER
    }

    /** The application behind a controller whose switching requests time out, as {@link Late} says. */
    private static final class LateApplication extends ForwardingRoleController {
        private final Late late;
        private final List<Runnable> pending = new ArrayList<>();
        private int readsUntilPending;
        private boolean failedOnce;

        LateApplication(RoleController app, Late late) {
            super(app);
            this.late = late;
        }

        private synchronized void switching(Runnable call) {
            boolean fails = late == Late.NEVER || late == Late.ALWAYS_TIMES_OUT_AFTER_SWITCHING || !failedOnce;
            if (!fails) {
                call.run();
                return;
            }
            failedOnce = true;
            switch (late) {
                case FINISHES_AFTER_TWO_READS -> {
                    pending.add(call);
                    readsUntilPending = 2;
                }
                case SWITCHES_THEN_TIMES_OUT, ALWAYS_TIMES_OUT_AFTER_SWITCHING -> call.run();
                case NEVER -> { }
            }
            throw new RoleControllerException(describe(), "kv-1", "no answer within 5000 ms (timeout-ms)");
        }

        private synchronized void read() {
            if (!pending.isEmpty() && --readsUntilPending <= 0) {
                pending.forEach(Runnable::run);
                pending.clear();
            }
        }

        @Override
        public Map<String, Role> roles(PairContext pair) {
            read();
            return app.roles(pair);
        }

        @Override
        public Role role(PairContext pair, String member) {
            read();
            return app.role(pair, member);
        }

        @Override
        public void switchover(PairContext pair, String newActiveMember) {
            switching(() -> app.switchover(pair, newActiveMember));
        }

        @Override
        public void takeOver(PairContext pair, String member) {
            switching(() -> app.takeOver(pair, member));
        }

        @Override
        public void promote(PairContext pair, String member) {
            switching(() -> app.promote(pair, member));
        }
    }
}
