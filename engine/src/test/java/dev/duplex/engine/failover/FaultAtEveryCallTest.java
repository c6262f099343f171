package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.role.Role;
import dev.duplex.driver.tck.FaultInjectingDriver;
import dev.duplex.driver.tck.FaultInjectingDriver.Call;
import dev.duplex.driver.tck.FaultInjectingDriver.Fault;
import dev.duplex.driver.tck.FaultInjectingDriver.Injection;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.testing.FaultingRoleController;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A failover of a cold pair with the platform failing at each of its driver calls in turn, in
 * each way a platform fails. Whatever the fault: the job ends, the standby never runs while the
 * old active still does, it never boots on other operating-environment info than the active's,
 * and the operator's next step (running the failover again) completes it.
 */
class FaultAtEveryCallTest {
    @TestFactory
    Stream<DynamicTest> aFailoverEndsSafelyWhateverDriverCallFails() {
        FailoverFixture clean = new FailoverFixture();
        clean.push().push("kv", clean.activeInfo(2, 5));
        FaultInjectingDriver recording = FaultInjectingDriver.recording(clean.driver);
        FailoverReport report = failover(clean, recording).failover("kv", false, "ops@host");
        assertEquals("kv-1", report.newActive(), "the scenario succeeds without a fault");
        List<Call> calls = recording.calls();
        assertTrue(calls.size() >= 4, "the failover calls the driver: " + calls);

        List<DynamicTest> tests = new ArrayList<>();
        for (Fault fault : Fault.values()) {
            for (Call call : calls) {
                Injection injection = new Injection(call, fault);
                tests.add(DynamicTest.dynamicTest(injection.toString(), () -> failoverWith(injection)));
            }
        }
        return tests.stream();
    }

    private void failoverWith(Injection injection) {
        FailoverFixture f = new FailoverFixture();
        EnvironmentSnapshot active = f.activeInfo(2, 5);
        f.push().push("kv", active);
        FaultInjectingDriver faulty = FaultInjectingDriver.failing(f.driver, injection);
        Optional<RuntimeException> failed = Optional.empty();
        try {
            failover(f, faulty).failover("kv", false, "ops@host");
        } catch (RuntimeException e) {
            failed = Optional.of(e);
        }
        assertTrue(faulty.injectedAt().isPresent(), injection + ": the fault was reached");
        List<Job> jobs = f.jobs.jobs("kv");
        assertTrue(jobs.stream().noneMatch(j -> j.state().live()), injection + ": the job ended, got " + jobs);
        assertSafe(f, active, injection);
        if (failed.isPresent()) {
            String message = failed.get().getMessage();
            assertTrue(message != null && !message.isBlank() && !message.startsWith("java."), injection + ": says what failed: " + message);

            // The operator runs the failover again, the platform answering now.
            FailoverReport again = f.failover().failover("kv", false, "ops@host");
            assertEquals("kv-1", again.newActive(), injection + ": the failover run again completes");
            assertSafe(f, active, injection);
        }
        assertEquals("kv-1", f.inventory.pair("kv").orElseThrow().active(), injection + ": the inventory records kv-1 as active");
        assertEquals(VmState.RUNNING, f.driver.state(new VmRef("id-1", "kv-1")), injection + ": the new active runs");
        assertEquals(VmState.STOPPED, f.driver.state(new VmRef("id-0", "kv-0")), injection + ": the old active is fenced");
        assertEquals(Role.ACT, f.app.roleOf("kv-1"), injection + ": the new active serves as ACT");
        assertTrue(FailoverFixture.sameItems(active, f.driver.environmentOf("id-1")), injection + ": the new active booted on the active's info");
    }

    /**
     * The same failover with the application's role controller failing at each of its calls in turn, refused or
     * with its answer lost after the member acted (a promotion that timed out but took effect). A standby that
     * took the role is never stopped again: the pair ends served by kv-1, at once or when the failover is run again.
     */
    @TestFactory
    Stream<DynamicTest> aFailoverEndsSafelyWhateverRoleControllerCallFails() {
        FailoverFixture clean = new FailoverFixture();
        clean.push().push("kv", clean.activeInfo(2, 5));
        FaultingRoleController recording = new FaultingRoleController(clean.app, Optional.empty());
        FailoverReport report = failover(clean, FaultInjectingDriver.recording(clean.driver), recording).failover("kv", false, "ops@host");
        assertEquals("kv-1", report.newActive(), "the scenario succeeds without a fault");
        assertTrue(recording.calls().size() >= 2, "the failover asks the application: " + recording.calls());

        List<DynamicTest> tests = new ArrayList<>();
        for (FaultingRoleController.Fault fault : FaultingRoleController.Fault.values()) {
            for (FaultingRoleController.Call call : recording.calls()) {
                var injection = new FaultingRoleController.Injection(call, fault);
                tests.add(DynamicTest.dynamicTest(injection.toString(), () -> failoverWith(injection)));
            }
        }
        return tests.stream();
    }

    private void failoverWith(FaultingRoleController.Injection injection) {
        FailoverFixture f = new FailoverFixture();
        EnvironmentSnapshot active = f.activeInfo(2, 5);
        f.push().push("kv", active);
        FaultingRoleController faulty = new FaultingRoleController(f.app, Optional.of(injection));
        Optional<RuntimeException> failed = Optional.empty();
        try {
            failover(f, FaultInjectingDriver.recording(f.driver), faulty).failover("kv", false, "ops@host");
        } catch (RuntimeException e) {
            failed = Optional.of(e);
        }
        assertTrue(faulty.injected(), injection + ": the fault was reached");
        assertTrue(f.jobs.jobs("kv").stream().noneMatch(j -> j.state().live()), injection + ": the job ended");
        if (f.app.roleOf("kv-1") == Role.ACT) {
            assertEquals(VmState.RUNNING, f.driver.state(new VmRef("id-1", "kv-1")), injection + ": a standby that took the role is not stopped again");
        }
        if (failed.isPresent()) {
            FailoverReport again = f.failover().failover("kv", false, "ops@host");
            assertEquals("kv-1", again.newActive(), injection + ": the failover run again completes");
        }
        assertEquals("kv-1", f.inventory.pair("kv").orElseThrow().active(), injection + ": the inventory records kv-1 as active");
        assertEquals(VmState.RUNNING, f.driver.state(new VmRef("id-1", "kv-1")), injection + ": the new active runs");
        assertEquals(VmState.STOPPED, f.driver.state(new VmRef("id-0", "kv-0")), injection + ": the old active is fenced");
        assertEquals(Role.ACT, f.app.roleOf("kv-1"), injection + ": the new active serves as ACT");
    }

    /** The standby never started while the old active ran, nor on other info than the active's. */
    private static void assertSafe(FailoverFixture f, EnvironmentSnapshot active, Injection injection) {
        List<String> events = f.driver.events();
        int start = events.indexOf("start id-1");
        if (start >= 0) {
            assertTrue(events.subList(0, start).stream().anyMatch(e -> e.startsWith("stop id-0")),
                    injection + ": kv-0 was stopped before kv-1 started: " + events);
            assertTrue(FailoverFixture.sameItems(active, f.driver.environmentOf("id-1")),
                    injection + ": kv-1 started on the active's info");
        }
        assertFalse(f.driver.state(new VmRef("id-0", "kv-0")) == VmState.RUNNING && f.driver.state(new VmRef("id-1", "kv-1")) == VmState.RUNNING,
                injection + ": never both running");
    }

    private static Failover failover(FailoverFixture f, FaultInjectingDriver platform) {
        return failover(f, platform, f.app);
    }

    private static Failover failover(FailoverFixture f, FaultInjectingDriver platform, dev.duplex.api.role.RoleController roles) {
        EndpointDrivers drivers = endpoint -> platform.driver();
        return new Failover(f.inventory, f.archive, f.jobs, f.audit, drivers, pair -> roles,
                new Fence(drivers, Duration.ofMillis(200), Duration.ofMillis(5), System::nanoTime), new EnvironmentSync(), "node-a",
                f.staleAfter, Duration.ofMillis(500), Clock.systemUTC(), System::nanoTime);
    }
}
