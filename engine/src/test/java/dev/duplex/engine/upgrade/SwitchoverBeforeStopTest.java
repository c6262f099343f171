package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VmState;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.testing.SimulatedCrash;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * S25 when S26 stops the old active right after: the old active need only stop taking writes. It
 * is demoted; if it then reports SBY the new one takes over; if not (the demote failed, or it
 * stopped serving as a database that cannot become a standby without a restart does), its VM is
 * stopped and confirmed stopped before the new one is promoted. Never both taking writes.
 */
class SwitchoverBeforeStopTest {

    @Test
    void anOldActiveThatStepsDownToSbyIsDemotedThenTheNewOneTakesOver() {
        PairFixture f = new PairFixture();
        DemotingApplication app = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.TO_SBY);

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(List.of("demote kv-0", "takeOver kv-1"), app.calls());
        assertEquals(List.of(), app.bothTookWrites());
        assertEquals("SBY", report.step("S25").orElseThrow().outputs().get("old-active"));
        assertEquals(null, report.step("S26").orElseThrow().outputs().get("already-stopped"), "S26 stopped kv-0 itself");
        assertEquals(Map.of("kv-1", Role.ACT, "kv-0", Role.SBY), f.app.currentRoles());
        assertEquals(1, f.inventory.pair("kv").orElseThrow().activeSystem());
    }

    @Test
    void anOldActiveThatStopsServingInsteadOfBecomingSbyIsStoppedBeforeTheNewOneIsPromoted() {
        PairFixture f = new PairFixture();
        DemotingApplication app = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.STOPS_SERVING);

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(List.of("demote kv-0", "promote kv-1"), app.calls(), "no restart as a standby, no switchover");
        assertEquals(List.of(), app.bothTookWrites());
        Map<String, String> s25 = report.step("S25").orElseThrow().outputs();
        assertEquals("stopped", s25.get("old-active"));
        assertEquals("GRACEFUL", s25.get("old-active-stop"), "a graceful stop first, so a database hands over its last writes");
        assertTrue(s25.get("demote").contains("does not report a role"), s25.toString());
        assertEquals("true", report.step("S26").orElseThrow().outputs().get("already-stopped"), "S25 stopped kv-0 already");
        // kv-0 was stopped once, in S25, and only then did kv-1 become active
        assertEquals(List.of("stop kv-1", "delete kv-1", "create kv-1-j1 from v2", "start kv-1-j1",
                "stop kv-0", "delete kv-0", "create kv-0-j1 from v2", "start kv-0-j1"), f.driver.changes());
        assertFalse(f.driver.allDownSeen(), "never both members down");
        assertEquals(Map.of("kv-1", Role.ACT, "kv-0", Role.SBY), f.app.currentRoles());
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals(VmState.RUNNING, f.vmOf(member).state());
            assertEquals("v2", f.record(member).image());
        }
    }

    @Test
    void aFailedDemoteStopsTheOldActiveBeforeTheNewOneIsPromoted() {
        PairFixture f = new PairFixture();
        DemotingApplication app = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.FAILS);

        UpgradeReport report = f.engine(pair -> app).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(List.of("demote kv-0", "promote kv-1"), app.calls());
        assertEquals(List.of(), app.bothTookWrites(), "kv-1 was promoted only once kv-0 was stopped");
        Map<String, String> s25 = report.step("S25").orElseThrow().outputs();
        assertTrue(s25.get("demote").contains("refused to step down"), s25.toString());
        assertEquals("stopped", s25.get("old-active"));
    }

    @Test
    void aControllerThatCannotDemoteStillSwitchesOverAndTheOldActiveMustReportSby() {
        PairFixture f = new PairFixture();

        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(1, f.app.switchovers());
        assertEquals("SBY", report.step("S25").orElseThrow().outputs().get("old-active"));
        assertEquals(null, report.step("S26").orElseThrow().outputs().get("already-stopped"));
    }

    @Test
    void killedBetweenStoppingTheOldActiveAndPromotingTheNewOneTheResumedS25OnlyPromotes() {
        PairFixture f = new PairFixture();
        DemotingApplication app = new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.STOPS_SERVING);
        boolean[] crashed = {false};
        dev.duplex.engine.role.RoleControllerSource source = pair -> new CrashBeforeFirstPromote(app, crashed);

        assertThrows(SimulatedCrash.class, () -> f.engine(source).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE));
        assertEquals(VmState.STOPPED, f.vmOf("kv-0").state(), "the kill landed after kv-0 was stopped");
        assertEquals(Role.SBY, f.app.currentRoles().get("kv-1"), "and before kv-1 was promoted");
        long jobId = f.jobs.jobs("kv").get(0).id();
        assertEquals("STARTED", f.jobs.journal(jobId).get(f.jobs.journal(jobId).size() - 1).state().name());
        assertEquals("S25", f.jobs.journal(jobId).get(f.jobs.journal(jobId).size() - 1).stepId());

        UpgradeReport report = f.engine(source).resume(jobId, UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(List.of("demote kv-0", "promote kv-1"), app.calls(),
                "the resumed S25 does not demote a stopped member again: it promotes");
        assertEquals(List.of(), app.bothTookWrites());
        assertEquals("stopped", report.step("S25").orElseThrow().outputs().get("old-active"));
        assertEquals(Map.of("kv-1", Role.ACT, "kv-0", Role.SBY), f.app.currentRoles());
        assertEquals(1, f.inventory.pair("kv").orElseThrow().activeSystem());
    }

    /** The orchestrator dies at its first promotion, before the application hears of it. */
    private static final class CrashBeforeFirstPromote extends dev.duplex.engine.role.ForwardingRoleController {
        private final boolean[] crashed;

        CrashBeforeFirstPromote(DemotingApplication app, boolean[] crashed) {
            super(app);
            this.crashed = crashed;
        }

        @Override
        public void promote(PairContext pair, String member) {
            if (!crashed[0]) {
                crashed[0] = true;
                throw new SimulatedCrash("after the old active was stopped, before the promotion");
            }
            app.promote(pair, member);
        }
    }
}
