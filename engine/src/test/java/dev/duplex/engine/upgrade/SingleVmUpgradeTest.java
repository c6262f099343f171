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
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.job.JobQueue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** S11–S13 on one VM in no pair (kv-0 of the fixture with the pair dissolved). */
class SingleVmUpgradeTest {
    @Test
    void aPairMemberIsRefusedNamingItsPairAndThePairUpgradeAndNothingIsTouched() {
        for (String member : List.of("kv-0", "kv-1")) {
            PairFixture f = new PairFixture();
            UpgradeRefusedException e = assertThrows(UpgradeRefusedException.class,
                    () -> f.engine().runVm(member, "v2", UpgradeStrategy.LINK, "t", UpgradeListener.NONE));
            assertEquals("VM '" + member + "' is a member of pair 'kv' (its " + (member.equals("kv-0") ? "active" : "standby")
                    + "); `duplex upgrade vm` is for a VM in no pair. Upgrade the pair with `duplex upgrade run kv`; nothing was"
                    + " touched.", e.getMessage());
            assertThrows(UpgradeRefusedException.class, () -> f.engine().planVm(member, "v2", UpgradeStrategy.LINK));
            assertTrue(f.driver.changes().isEmpty(), f.driver.changes().toString());
            assertTrue(f.jobs.jobs(member).isEmpty(), "no job was created");
            assertEquals("v1", f.record(member).image());
        }
    }

    @Test
    void aJobWhoseVmChangedBetweenItsChecksAndItsLockEndsFailedWithoutTouchingIt() {
        PairFixture f = PairFixture.unpaired();
        // Another upgrade of kv-0 ran and ended between this one's checks and its job: it re-created
        // kv-0 from v2. Running on what the checks saw would stop a VM that no longer exists and
        // record the wrong image.
        JobQueue racing = (JobQueue) Proxy.newProxyInstance(JobQueue.class.getClassLoader(), new Class<?>[] {JobQueue.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("create")) { // create, or createClaimed
                        VmRecord was = f.record("kv-0");
                        f.inventory.updateVm(new VmRecord(was.name(), was.endpoint(), "kv-0-j99", "v2", was.links(), was.properties()));
                    }
                    try {
                        return method.invoke(f.jobs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        UpgradeRefusedException e = assertThrows(UpgradeRefusedException.class,
                () -> f.engine(pair -> f.app, racing).runVm("kv-0", "v2", UpgradeStrategy.LINK, "t", UpgradeListener.NONE));
        assertTrue(e.getMessage().startsWith("VM 'kv-0' changed while job #1 was being created (it was v1 as "), e.getMessage());
        assertTrue(f.driver.changes().isEmpty(), f.driver.changes().toString());
        assertEquals(JobState.FAILED, f.jobs.job(1).orElseThrow().state());
        assertTrue(f.jobs.liveJobOn("kv-0").isEmpty(), "the VM is free again");
    }

    @Test
    void aSingleVmIsStoppedRecreatedFromTheNewImageOnTheSameVolumeAndStarted() {
        PairFixture f = PairFixture.unpaired();
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
        PairFixture f = PairFixture.unpaired();
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
        PairFixture f = PairFixture.unpaired();
        UpgradePlan plan = f.engine().planVm("kv-0", "v2", UpgradeStrategy.LINK);
        assertEquals(List.of("S11", "S12", "S13"), plan.steps().stream().map(p -> p.step().id()).toList());
        assertEquals(plan.predictedTotal(), plan.predictedServiceGap());
        assertTrue(f.driver.changes().isEmpty());
    }

    @Test
    void aSingleVmStrategyTheEndpointLacksIsRefused() {
        PairFixture f = PairFixture.unpaired(new FakeDriver(Capabilities.of(Capability.MOUNT_AT_BOOT), "kv-"));
        UpgradeRefusedException e = assertThrows(UpgradeRefusedException.class,
                () -> f.engine().runVm("kv-0", "v2", UpgradeStrategy.COPY_AT_BOOT, "t", UpgradeListener.NONE));
        assertTrue(e.getMessage().contains("lacks [COPY_AT_BOOT]"), e.getMessage());
        assertTrue(f.driver.changes().isEmpty());
    }
}
