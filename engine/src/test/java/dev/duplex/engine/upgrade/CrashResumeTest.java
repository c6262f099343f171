package dev.duplex.engine.upgrade;

import dev.duplex.engine.testing.SimulatedCrash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VmState;
import dev.duplex.api.role.Role;
import dev.duplex.engine.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The orchestrator dies at every step boundary — right after a step's STARTED record, in the
 * write of its DONE record, and right after the step ended (its DONE goes to the journal with the
 * next step's STARTED, so it is not written yet) — and a new engine resumes the job from the same
 * journal. A kill right after a DONE is on disk is a kill right after the next step's STARTED.
 */
class CrashResumeTest {
    enum Point {
        AFTER_STARTED, BEFORE_DONE, AFTER_ENDED
    }

    static Stream<Arguments> everyBoundary() {
        List<Arguments> cases = new ArrayList<>();
        for (UpgradeStrategy strategy : UpgradeStrategy.values()) {
            for (String step : List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29")) {
                for (Point point : Point.values()) {
                    cases.add(Arguments.of(strategy, step, point));
                }
            }
        }
        return cases.stream();
    }

    private static UpgradeListener crashAt(String stepId, Point point) {
        return new UpgradeListener() {
            @Override
            public void stepStarted(long jobId, StepInfo step) {
                if (point == Point.AFTER_STARTED && step.id().equals(stepId)) {
                    throw new SimulatedCrash("after " + stepId + " STARTED");
                }
            }

            @Override
            public void stepEnded(long jobId, StepInfo step, java.time.Duration elapsed, Map<String, String> outputs) {
                if (point == Point.AFTER_ENDED && step.id().equals(stepId)) {
                    throw new SimulatedCrash("after " + stepId + " ended");
                }
            }
        };
    }

    @ParameterizedTest(name = "{0}: crash {2} {1}")
    @MethodSource("everyBoundary")
    void aResumedJobCompletesOnTheOriginalVolumes(UpgradeStrategy strategy, String stepId, Point point) {
        PairFixture f = new PairFixture();
        if (point == Point.BEFORE_DONE) {
            f.jobs.crashInStepDone(stepId);
        }
        assertThrows(SimulatedCrash.class, () -> f.engine().run(f.request(strategy), crashAt(stepId, point)));
        long jobId = f.jobs.jobs("kv").get(0).id();
        assertEquals(JobState.RUNNING, f.jobs.job(jobId).orElseThrow().state(), "a killed orchestrator leaves its job live");

        List<String> skipped = new ArrayList<>();
        UpgradeReport report = f.engine().withSettings(f.engine().settings().withNode("other-node")).resume(jobId, new UpgradeListener() {
            @Override
            public void stepSkipped(long id, StepInfo step) {
                skipped.add(step.id());
            }
        });

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        int crashedIndex = List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29").indexOf(stepId);
        assertEquals(crashedIndex, skipped.size(), "every step before the one killed was DONE, that one runs again: " + skipped);
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals("v2", f.record(member).image());
            assertEquals(VmState.RUNNING, f.vmOf(member).state());
        }
        assertEquals(2, f.driver.listVms().size(), "one VM per member, no duplicate: " + f.driver.listVms());
        assertEquals(Map.of("kv-1", Role.ACT, "kv-0", Role.SBY), f.app.currentRoles());
        assertEquals(1, f.inventory.pair("kv").orElseThrow().activeSystem());
        if (strategy.copiesVolume()) {
            assertEquals(f.inventory.volume("db-0-j1").orElseThrow().driverRef(), f.vmOf("kv-0").links().get(0).volume().id());
            assertArrayEquals(f.db0, f.driver.content(f.vmOf("kv-0").links().get(0).volume().id()));
            assertEquals(4, f.driver.listVolumes().size());
        } else {
            assertEquals(f.volume0, f.vmOf("kv-0").links().get(0).volume(), "kv-0 links the original volume");
            assertEquals(f.volume1, f.vmOf("kv-1").links().get(0).volume(), "kv-1 links the original volume");
            assertEquals(2, f.driver.listVolumes().size());
        }
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()));
        assertArrayEquals(f.db1, f.driver.content(f.volume1.id()));
        assertTrue(f.driver.deletedVolumes().isEmpty(), "no volume deleted");
        assertFalse(f.driver.allDownSeen(), "never both members down");
    }

    @org.junit.jupiter.api.Test
    void theServiceAddressIsRepointedEvenWhenTheOrchestratorDiedRightAfterTheSwitchover() {
        PairFixture f = new PairFixture();
        List<String> serviceAddress = new ArrayList<>();
        dev.duplex.engine.role.RoleControllerSource withProxy =
                pair -> new dev.duplex.engine.role.AfterSwitchover(f.app, (p, active) -> {
                    if (serviceAddress.isEmpty()) {
                        throw new SimulatedCrash("after the application switched, before the proxy was repointed");
                    }
                    serviceAddress.add(active);
                });
        assertThrows(SimulatedCrash.class, () -> f.engine(withProxy).run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE));
        assertEquals(Map.of("kv-1", Role.ACT, "kv-0", Role.SBY), f.app.currentRoles(), "the application did switch");
        serviceAddress.add("kv-0"); // the proxy still points at the old active

        UpgradeReport report = f.engine(withProxy).resume(f.jobs.jobs("kv").get(0).id(), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(List.of("kv-0", "kv-1"), serviceAddress, "the resumed S25 repointed the service address");
        assertEquals("true", report.step("S25").orElseThrow().outputs().get("already-switched"));
    }

    @ParameterizedTest(name = "rollback after a crash {1} {0}")
    @MethodSource("someBoundaries")
    void aJobLeftByADeadOrchestratorCanBeRolledBack(String stepId, Point point) {
        PairFixture f = new PairFixture();
        if (point == Point.BEFORE_DONE) {
            f.jobs.crashInStepDone(stepId);
        }
        assertThrows(SimulatedCrash.class, () -> f.engine().run(f.request(UpgradeStrategy.LINK), crashAt(stepId, point)));
        long jobId = f.jobs.jobs("kv").get(0).id();

        UpgradeReport report = f.engine().rollback(jobId, "tester@host", UpgradeListener.NONE);

        assertEquals(JobState.ROLLED_BACK, report.state(), () -> report.error().orElse(""));
        assertEquals(jobId, report.jobId(), "a live job is rolled back in place");
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals("v1", f.record(member).image());
            assertEquals(VmState.RUNNING, f.vmOf(member).state());
        }
        assertEquals(f.volume0, f.vmOf("kv-0").links().get(0).volume());
        assertEquals(f.volume1, f.vmOf("kv-1").links().get(0).volume());
        assertEquals(2, f.driver.listVms().size(), f.driver.listVms().toString());
        assertTrue(f.driver.deletedVolumes().isEmpty());
        assertFalse(f.driver.allDownSeen());
    }

    static Stream<Arguments> someBoundaries() {
        List<Arguments> cases = new ArrayList<>();
        for (String step : List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28")) {
            for (Point point : Point.values()) {
                cases.add(Arguments.of(step, point));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "crash {1} {0} of a rollback, then resume")
    @MethodSource("rollbackBoundaries")
    void aRollbackSurvivesACrashToo(String stepId, Point point) {
        PairFixture f = new PairFixture();
        UpgradeReport upgrade = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);
        if (point == Point.BEFORE_DONE) {
            f.jobs.crashInStepDone(stepId);
        }
        assertThrows(SimulatedCrash.class, () -> f.engine().rollback(upgrade.jobId(), "t", crashAt(stepId, point)));
        long rollbackJob = f.jobs.jobs("kv").get(0).id();

        UpgradeReport report = f.engine().resume(rollbackJob, UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        for (String member : List.of("kv-0", "kv-1")) {
            assertEquals("v1", f.record(member).image());
            assertEquals(VmState.RUNNING, f.vmOf(member).state());
        }
        assertEquals(2, f.driver.listVms().size());
        assertTrue(f.driver.deletedVolumes().isEmpty());
        assertFalse(f.driver.allDownSeen());
    }

    static Stream<Arguments> rollbackBoundaries() {
        List<Arguments> cases = new ArrayList<>();
        for (String step : List.of("R0", "R1", "R2", "R3", "R4", "R5")) {
            for (Point point : Point.values()) {
                cases.add(Arguments.of(step, point));
            }
        }
        return cases.stream();
    }
}
