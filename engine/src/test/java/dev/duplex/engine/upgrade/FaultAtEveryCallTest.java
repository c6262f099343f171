package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.api.VmState;
import dev.duplex.api.role.Role;
import dev.duplex.driver.tck.FaultInjectingDriver;
import dev.duplex.driver.tck.FaultInjectingDriver.Call;
import dev.duplex.driver.tck.FaultInjectingDriver.Fault;
import dev.duplex.driver.tck.FaultInjectingDriver.Injection;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A link upgrade of a pair with the platform failing at each of its driver calls in turn, in each
 * way a platform fails (refused, unreachable, the answer lost after the work was done). Whatever
 * the fault, the job ends (never stays RUNNING), one member serves throughout, no volume is
 * deleted or changed, and an operator's next step (a rollback of a failed job) leaves the pair on
 * its old images with one active and one standby.
 */
class FaultAtEveryCallTest {
    @TestFactory
    Stream<DynamicTest> aLinkUpgradeEndsSafelyWhateverDriverCallFails() {
        PairFixture clean = new PairFixture();
        FaultInjectingDriver recording = FaultInjectingDriver.recording(clean.driver);
        UpgradeReport report = clean.engine(recording.driver()).run(clean.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, report.state(), "the scenario succeeds without a fault: " + report.error());
        List<Call> calls = recording.calls();
        assertTrue(calls.size() > 10, "the upgrade calls the driver: " + calls);

        List<DynamicTest> tests = new ArrayList<>();
        for (Fault fault : Fault.values()) {
            for (Call call : calls) {
                Injection injection = new Injection(call, fault);
                tests.add(DynamicTest.dynamicTest(injection.toString(), () -> upgradeWith(injection)));
            }
        }
        return tests.stream();
    }

    private void upgradeWith(Injection injection) {
        PairFixture f = new PairFixture();
        FaultInjectingDriver faulty = FaultInjectingDriver.failing(f.driver, injection);
        Optional<UpgradeReport> report;
        try {
            report = Optional.of(f.engine(faulty.driver()).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE));
        } catch (RuntimeException refused) {
            report = Optional.empty();
            List<Job> jobs = f.jobs.jobs("kv");
            assertTrue(jobs.stream().noneMatch(j -> j.state().live()),
                    injection + ": a run that threw left no live job behind, got " + jobs + " after " + refused);
            if (jobs.isEmpty()) {
                assertEquals(List.of(), f.driver.changes(), injection + ": refused before the job, so nothing was touched");
            }
        }
        assertTrue(faulty.injectedAt().isPresent(), injection + ": the fault was reached (the run is deterministic)");
        assertFalse(f.driver.allDownSeen(), injection + ": one member served throughout");
        assertVolumesIntact(f, injection);

        Optional<Job> job = f.jobs.jobs("kv").stream().findFirst();
        JobState state = job.map(Job::state).orElse(JobState.FAILED);
        assertFalse(state.live(), injection + ": the job ended, got " + job);
        if (state == JobState.SUCCEEDED) {
            assertPairOn(f, "v2", injection);
        } else if (state == JobState.FAILED && job.isPresent()) {
            rollBackAsNamed(f, job.get(), injection);
            assertPairOn(f, "v1", injection);
            assertNoVmLeftBehind(f, injection);
        } else if (state == JobState.ROLLED_BACK) {
            assertPairOn(f, "v1", injection);
        }
    }

    /** The three ways S25 switches: one switchover; a demote, then a takeover; a failed demote, a stop, then a promotion. */
    enum Application {
        SWITCHES_OVER, STEPS_DOWN, STOPPED_THEN_PROMOTED;

        dev.duplex.api.role.RoleController of(PairFixture f) {
            return switch (this) {
                case SWITCHES_OVER -> f.app;
                case STEPS_DOWN -> new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.TO_SBY);
                case STOPPED_THEN_PROMOTED -> new DemotingApplication(f.app, f.driver, DemotingApplication.Demote.FAILS);
            };
        }
    }

    /**
     * The same upgrade with the application's role controller failing at each of its calls in turn, refused or with
     * its answer lost after the application acted. Beyond the driver faults' promises: whoever the application
     * says is active at the end is the member the inventory names active.
     */
    @TestFactory
    Stream<DynamicTest> aLinkUpgradeEndsSafelyWhateverRoleControllerCallFails() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Application application : Application.values()) {
            PairFixture clean = new PairFixture();
            dev.duplex.engine.testing.FaultingRoleController recording = new dev.duplex.engine.testing.FaultingRoleController(application.of(clean), Optional.empty());
            UpgradeReport report = clean.engine(pair -> recording).run(clean.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
            assertEquals(JobState.SUCCEEDED, report.state(), application + " succeeds without a fault: " + report.error());
            for (dev.duplex.engine.testing.FaultingRoleController.Fault fault : dev.duplex.engine.testing.FaultingRoleController.Fault.values()) {
                for (dev.duplex.engine.testing.FaultingRoleController.Call call : recording.calls()) {
                    var injection = new dev.duplex.engine.testing.FaultingRoleController.Injection(call, fault);
                    tests.add(DynamicTest.dynamicTest(application + ", " + injection, () -> upgradeWith(application, injection)));
                }
            }
        }
        return tests.stream();
    }

    private void upgradeWith(Application application, dev.duplex.engine.testing.FaultingRoleController.Injection injection) {
        String what = application + ", " + injection;
        PairFixture f = new PairFixture();
        dev.duplex.engine.testing.FaultingRoleController faulty = new dev.duplex.engine.testing.FaultingRoleController(application.of(f), Optional.of(injection));
        try {
            f.engine(pair -> faulty).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        } catch (RuntimeException refused) {
            assertTrue(f.jobs.jobs("kv").stream().noneMatch(j -> j.state().live()), what + ": a run that threw left no live job, after " + refused);
        }
        assertTrue(faulty.injected(), what + ": the fault was reached");
        assertFalse(f.driver.allDownSeen(), what + ": one member served throughout");
        assertVolumesIntact(f, what);

        Optional<Job> job = f.jobs.jobs("kv").stream().findFirst();
        JobState state = job.map(Job::state).orElse(JobState.FAILED);
        assertFalse(state.live(), what + ": the job ended, got " + job);
        System.out.println(what + " -> " + (job.isPresent() ? state : "refused before its job")); // the outcome counts, in the report
        if (state == JobState.FAILED && job.isPresent()) {
            rollBackAsNamed(f, job.get(), what);
        }
        assertPairOn(f, state == JobState.SUCCEEDED ? "v2" : "v1", what);
        String active = f.inventory.pair("kv").orElseThrow().active();
        assertEquals(Role.ACT, f.app.currentRoles().get(active), what + ": the inventory's active " + active + " is the one serving");
    }

    /** A FAILED job names the operator's next command; the rollback it names completes, one member serving, no volume touched. */
    private static void rollBackAsNamed(PairFixture f, Job job, Object injection) {
        String error = f.jobs.job(job.id()).flatMap(Job::error).orElse("");
        assertTrue(error.contains("duplex upgrade rollback " + job.id()) || error.contains("duplex upgrade run kv --image"),
                injection + ": a FAILED job names the operator's next command: " + error);
        UpgradeReport rollback = f.engine().rollback(job.id(), "operator", UpgradeListener.NONE);
        assertTrue(rollback.state() == JobState.SUCCEEDED || rollback.state() == JobState.ROLLED_BACK,
                injection + ": the operator's rollback after the fault completes, got " + rollback.state() + " " + rollback.error());
        assertFalse(f.driver.allDownSeen(), injection + ": one member served throughout the rollback too");
        assertVolumesIntact(f, injection);
    }

    private static void assertVolumesIntact(PairFixture f, Object injection) {
        assertEquals(List.of(), f.driver.deletedVolumes(), injection + ": no volume deleted");
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()), injection + ": db-0 unchanged");
        assertArrayEquals(f.db1, f.driver.content(f.volume1.id()), injection + ": db-1 unchanged");
    }

    private static void assertNoVmLeftBehind(PairFixture f, Injection injection) {
        List<String> vms = f.driver.listVms().stream().map(vm -> vm.vm().id()).sorted().toList();
        List<String> members = Stream.of("kv-0", "kv-1").map(m -> f.record(m).driverRef()).sorted().toList();
        assertEquals(members, vms, injection + ": the platform holds the pair's two VMs and nothing the failed run made");
    }

    private static void assertPairOn(PairFixture f, String image, Object injection) {
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals(image, f.record(member).image(), injection + ": " + member + " recorded on " + image);
            assertEquals(VmState.RUNNING, f.vmOf(member).state(), injection + ": " + member + " runs");
        }
        Map<String, Role> roles = f.app.currentRoles();
        if (!(roles.values().stream().filter(r -> r == Role.ACT).count() == 1 && roles.values().stream().filter(r -> r == Role.SBY).count() == 1)) {
            fail(injection + ": one active and one standby afterwards, got " + roles);
        }
    }
}
