package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.api.VmState;
import dev.duplex.engine.job.JobState;
import org.junit.jupiter.api.Test;

/**
 * The role controller's context is kept for one step: a resync gate that polls many times reads
 * the members' VMs as often as one that passes at once, and a VM written by a step is what the
 * next calls are told (the health checks of the new VMs, and the switchover, pass only then).
 */
class PairContextPerStepTest {
    @Test
    void aGatePollingLongerReadsTheMembersVmsNoMoreOften() {
        int atOnce = vmReadsOfAnUpgradeWithLag(0);
        int afterTwentyPolls = vmReadsOfAnUpgradeWithLag(20);

        assertEquals(atOnce, afterTwentyPolls);
    }

    private static int vmReadsOfAnUpgradeWithLag(int polls) {
        PairFixture f = new PairFixture();
        f.app.lagFor(polls);
        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        assertEquals("v2", f.record("kv-0").image());
        assertEquals(VmState.RUNNING, f.vmOf("kv-0").state());
        assertEquals(VmState.RUNNING, f.vmOf("kv-1").state());
        assertEquals(1, f.app.switchovers());
        return f.inventory.vmReads();
    }
}
