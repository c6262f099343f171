package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C during an upgrade stops it at the next journal point: the job is handed back unfinished
 * (its VMs still locked), nothing is undone, the report names the resume command, and resuming
 * finishes it. A second upgrade meanwhile is refused naming the job, not with an unrelated error.
 */
class StopRequestedTest {
    @Test
    void aStopAfterAStepPausesTheJobAndResumeFinishesIt() {
        PairFixture f = new PairFixture();
        AtomicBoolean stop = new AtomicBoolean();
        UpgradeListener ctrlC = new UpgradeListener() {
            @Override
            public void stepEnded(long jobId, StepInfo step, java.time.Duration elapsed, java.util.Map<String, String> outputs) {
                if (step.id().equals("S23")) {
                    stop.set(true); // the operator presses Ctrl-C while S23 ends
                }
            }

            @Override
            public boolean stopRequested() {
                return stop.get();
            }
        };

        UpgradeReport stopped = f.engine().run(f.request(UpgradeStrategy.LINK), ctrlC);

        assertEquals(JobState.PENDING, stopped.state());
        String message = stopped.error().orElseThrow();
        assertTrue(message.contains("stopped as asked after S23; nothing was rolled back"), message);
        assertTrue(message.endsWith("duplex upgrade resume " + stopped.jobId()), message);
        assertEquals(List.of("S21", "S22", "S23"), stopped.steps().stream().map(StepTiming::id).toList());
        assertEquals(JobState.PENDING, f.jobs.job(stopped.jobId()).orElseThrow().state());
        assertEquals(0, f.app.switchovers(), "nothing past the stop ran");

        LiveJobExistsException second = org.junit.jupiter.api.Assertions.assertThrows(LiveJobExistsException.class,
                () -> f.engine().run(f.request(UpgradeStrategy.LINK), UpgradeListener.NONE));
        assertTrue(second.getMessage().contains("duplex upgrade resume " + stopped.jobId()), second.getMessage());

        UpgradeReport resumed = f.engine().resume(stopped.jobId(), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, resumed.state(), () -> resumed.error().orElse(""));
        assertEquals("v2", f.record("kv-0").image());
        assertEquals("v2", f.record("kv-1").image());
    }

    @Test
    void aStopWhileAStepWaitsEndsThatStepAndItRunsAgainOnResume() {
        PairFixture f = new PairFixture();
        f.app.neverInSync(); // S24 waits for the standby to catch up
        AtomicBoolean stop = new AtomicBoolean();
        UpgradeListener ctrlC = new UpgradeListener() {
            @Override
            public void waiting(long jobId, StepInfo step, String what) {
                stop.set(true);
            }

            @Override
            public boolean stopRequested() {
                return stop.get();
            }
        };

        UpgradeReport stopped = f.engine().run(f.request(UpgradeStrategy.LINK), ctrlC);

        assertEquals(JobState.PENDING, stopped.state(), () -> stopped.error().orElse(""));
        assertTrue(stopped.error().orElseThrow().contains("during S24 (it runs again on resume)"), stopped.error().orElseThrow());
        f.app.inSyncAgain();
        UpgradeReport resumed = f.engine().resume(stopped.jobId(), UpgradeListener.NONE);
        assertEquals(JobState.SUCCEEDED, resumed.state(), () -> resumed.error().orElse(""));
    }
}
