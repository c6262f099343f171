package dev.duplex.engine.upgrade;

import dev.duplex.engine.testing.SimulatedCrash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.VmState;
import dev.duplex.engine.job.JobState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** S11–S13 on one VM (kv-0 of the fixture, upgraded on its own). */
class SingleVmUpgradeTest {
    @Test
    void aSingleVmIsStoppedRecreatedFromTheNewImageOnTheSameVolumeAndStarted() {
        PairFixture f = new PairFixture();
        UpgradeReport report = f.engine().runVm("kv-0", "v2", UpgradeStrategy.LINK, "tester@host", UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(List.of("S11", "S12", "S13"), report.steps().stream().map(StepTiming::id).toList());
        assertEquals(List.of("stop kv-0", "delete kv-0", "create kv-0-j1 from v2", "start kv-0-j1"), f.driver.changes());
        assertEquals("v2", f.record("kv-0").image());
        assertEquals(VmState.RUNNING, f.vmOf("kv-0").state());
        assertEquals(f.volume0, f.vmOf("kv-0").links().get(0).volume());
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()));
        assertTrue(report.downtime().isPresent());
        assertTrue(report.singleSideWindows().isEmpty());
    }

    @Test
    void aSingleVmUpgradeSurvivesACrashInTheMiddle() {
        PairFixture f = new PairFixture();
        f.jobs.crashInStepDone("S12");
        assertThrows(SimulatedCrash.class, () -> f.engine().runVm("kv-0", "v2", UpgradeStrategy.LINK, "t", UpgradeListener.NONE));
        long jobId = f.jobs.jobs("kv-0").get(0).id();

        UpgradeReport report = f.engine().resume(jobId, UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals(2, f.driver.listVms().size());
        assertEquals(f.volume0, f.vmOf("kv-0").links().get(0).volume());
    }

    @Test
    void aSingleVmPlanPredictsItsDowntime() {
        PairFixture f = new PairFixture();
        UpgradePlan plan = f.engine().planVm("kv-0", "v2", UpgradeStrategy.LINK);
        assertEquals(List.of("S11", "S12", "S13"), plan.steps().stream().map(p -> p.step().id()).toList());
        assertEquals(plan.predictedTotal(), plan.predictedServiceGap());
        assertTrue(f.driver.changes().isEmpty());
    }

    @Test
    void aSingleVmStrategyTheEndpointLacksIsRefused() {
        PairFixture f = new PairFixture(new FakeDriver(Capabilities.of(Capability.MOUNT_AT_BOOT), "kv-"));
        UpgradeRefusedException e = assertThrows(UpgradeRefusedException.class,
                () -> f.engine().runVm("kv-0", "v2", UpgradeStrategy.COPY_AT_BOOT, "t", UpgradeListener.NONE));
        assertTrue(e.getMessage().contains("lacks [COPY_AT_BOOT]"), e.getMessage());
        assertTrue(f.driver.changes().isEmpty());
    }
}
