package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.VmRef;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.job.ForwardingJobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.service.EngineFailoverService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A failover started in the background, as the server's 202 needs it: the job's number as soon as
 * the job exists, the report when it ends, and every refusal that touches nothing thrown at once.
 */
class FailoverStartTest {
    private static final Actor OPERATOR = new Actor("token:ops");

    private final FailoverFixture fixture = new FailoverFixture();
    private final EngineFailoverService failovers = new EngineFailoverService(fixture.failover());
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void theJobsNumberComesBackAndTheReportCompletesTheFailover() throws Exception {
        fixture.push().push("kv", fixture.activeInfo(2, 5));

        EngineFailoverService.StartedFailover started = failovers.start("kv", false, false, OPERATOR, executor);

        assertEquals("failover", fixture.jobs.job(started.jobId()).orElseThrow().kind());
        FailoverReport report = started.report().get(30, TimeUnit.SECONDS);
        assertEquals(started.jobId(), report.jobId());
        assertEquals("kv-1", report.newActive());
        assertEquals(JobState.SUCCEEDED, fixture.jobs.job(started.jobId()).orElseThrow().state());
        assertEquals("token:ops", fixture.jobs.job(started.jobId()).orElseThrow().requestedBy());
    }

    @Test
    void theJobsNumberComesBackWhileTheFailoverStillRuns() throws Exception {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        java.util.concurrent.CountDownLatch fenceMayStart = new java.util.concurrent.CountDownLatch(1);

        EngineFailoverService.StartedFailover started = failovers.start("kv", false, false, OPERATOR, executor, jobs -> new ForwardingJobQueue(jobs) {
            @Override
            public void stepStarted(long jobId, String stepId) {
                try {
                    // holds the failover before its first phase until the number is back (at most 10 s, so that a
                    // number that comes only with the report fails the test rather than hanging it)
                    fenceMayStart.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.stepStarted(jobId, stepId);
            }
        });

        try {
            assertTrue(fixture.jobs.job(started.jobId()).orElseThrow().state().live(), "the failover has not ended");
            assertTrue(!started.report().isDone(), "the number came back before the failover's end");
        } finally {
            fenceMayStart.countDown();
        }
        assertEquals(started.jobId(), started.report().get(30, TimeUnit.SECONDS).jobId());
    }

    @Test
    void theJournalWatcherSeesEveryPhaseAndChangesNothing() throws Exception {
        fixture.push().push("kv", fixture.activeInfo(2, 5));
        List<String> seen = new CopyOnWriteArrayList<>();

        EngineFailoverService.StartedFailover started = failovers.start("kv", false, false, OPERATOR, executor, jobs -> new ForwardingJobQueue(jobs) {
            @Override
            public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
                seen.add(stepId);
                super.stepDone(jobId, stepId, outputs);
            }
        });
        started.report().get(30, TimeUnit.SECONDS);

        assertEquals(List.of("fence", "sync", "start", "promote", "record-roles"), seen);
        assertEquals(5, fixture.jobs.journal(started.jobId()).stream().filter(r -> r.isStep()).count());
    }

    @Test
    void refusalsThatTouchNothingAreThrownByStartAndCreateNoJob() {
        assertThrows(NotInInventoryException.class, () -> failovers.start("nope", false, false, OPERATOR, executor));
        assertThrows(IllegalArgumentException.class, () -> failovers.start("bad name", false, false, OPERATOR, executor));
        fixture.driver.start(new VmRef("id-1", "kv-1"));
        var running = assertThrows(IllegalStateException.class, () -> failovers.start("kv", false, false, OPERATOR, executor));
        assertTrue(running.getMessage().contains("is RUNNING"), running.getMessage());

        assertEquals(List.of(), fixture.jobs.jobs("kv"), "no job was created");
        assertEquals(List.of("start id-1"), fixture.driver.events(), "nothing but the test's own start");
    }

    @Test
    void aLiveJobOnThePairIsRefusedByStartItself() {
        fixture.jobs.create("upgrade", "kv", "someone@else", Map.of());

        assertThrows(LiveJobExistsException.class, () -> failovers.start("kv", false, false, OPERATOR, executor));

        assertTrue(fixture.driver.events().isEmpty(), "nothing was fenced");
    }
}
