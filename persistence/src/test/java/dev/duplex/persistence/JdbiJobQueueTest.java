package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiJobQueueTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    private Database database;
    private JdbiJobQueue jobs;
    private JdbiInventory inventory;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("job_queue_test");
        jobs = new JdbiJobQueue(database.jdbi());
        inventory = new JdbiInventory(database.jdbi());
    }

    @AfterAll
    void stop() {
        database.close();
    }

    @BeforeEach
    void empty() {
        database.jdbi().useHandle(h -> h.execute(
                "TRUNCATE endpoints, images, volumes, vms, vm_links, pairs, pair_members, jobs, job_steps CASCADE"));
        Fixtures.addPair(inventory, "kv");
        Fixtures.addPair(inventory, "web");
    }

    @Test
    void createdJobsArePendingAndListedNewestFirst() {
        Job job = jobs.create("upgrade", "kv", "alice@host", Map.of("image", "img-2"));
        assertEquals(JobState.PENDING, job.state());
        assertEquals(Map.of("image", "img-2"), job.parameters());
        assertEquals(Optional.empty(), job.owner());
        assertEquals(Optional.of(job), jobs.job(job.id()));
        assertEquals(Optional.of(job), jobs.liveJob("kv"));
        assertEquals(Optional.empty(), jobs.liveJob("web"));
        assertEquals(Optional.empty(), jobs.job(job.id() + 1000));

        assertEquals(Map.of("kv", job), jobs.liveJobs(List.of("kv", "web", "ghost")), "one query for many pairs, as liveJob each");
        assertEquals(Map.of(), jobs.liveJobs(List.of()));

        jobs.finish(job.id(), JobState.SUCCEEDED, Optional.empty());
        assertEquals(Map.of(), jobs.liveJobs(List.of("kv", "web")), "an ended job is not live");
        Job second = jobs.create("failover", "kv", "bob@host", Map.of());
        assertEquals(List.of(second.id(), job.id()), jobs.jobs("kv").stream().map(Job::id).toList());
        assertEquals(List.of(), jobs.jobs("web"));
    }

    @Test
    void theDatabaseRefusesASecondLiveJobPerPairNamingTheLiveOne() {
        Job live = jobs.create("upgrade", "kv", "alice@host", Map.of());
        var e = assertThrows(LiveJobExistsException.class, () -> jobs.create("failover", "kv", "bob@host", Map.of()));
        assertEquals(live.id(), e.liveJobId());
        assertTrue(e.getMessage().contains("live upgrade job #" + live.id()), e.getMessage());

        jobs.claim("node-a", LONG).orElseThrow();
        assertThrows(LiveJobExistsException.class, () -> jobs.create("failover", "kv", "bob@host", Map.of()),
                "a RUNNING job is live too");
        jobs.create("upgrade", "web", "alice@host", Map.of());

        jobs.finish(live.id(), JobState.FAILED, Optional.of("boom"));
        assertEquals(Optional.of("boom"), jobs.job(live.id()).orElseThrow().error());
        jobs.create("rollback", "kv", "alice@host", Map.of());
    }

    @Test
    void aJobForAnUnknownPairIsRefused() {
        var e = assertThrows(NotInInventoryException.class, () -> jobs.create("upgrade", "ghost", "a@h", Map.of()));
        assertEquals("No pair or VM named 'ghost' in the inventory", e.getMessage());
    }

    @Test
    void aSingleVmUpgradeJobNamesTheVm() {
        // S11-S13 upgrade one VM that is in no pair; its job is keyed by the VM's name.
        String vm = inventory.vms().get(0).name();
        Job job = jobs.create("upgrade-vm", vm, "a@h", Map.of());
        assertEquals(vm, job.pair());
        assertThrows(dev.duplex.engine.job.LiveJobExistsException.class, () -> jobs.create("upgrade-vm", vm, "a@h", Map.of()));
    }

    @Test
    void claimTakesPendingJobsInOrderAndNeverTwice() {
        Job first = jobs.create("upgrade", "kv", "a@h", Map.of());
        Job second = jobs.create("upgrade", "web", "a@h", Map.of());

        Job claimed = jobs.claim("node-a", LONG).orElseThrow();
        assertEquals(first.id(), claimed.id());
        assertEquals(JobState.RUNNING, claimed.state());
        assertEquals(Optional.of("node-a"), claimed.owner());
        assertTrue(claimed.heartbeat().isPresent());

        assertEquals(second.id(), jobs.claim("node-b", LONG).orElseThrow().id());
        assertEquals(Optional.empty(), jobs.claim("node-c", LONG), "both are owned and fresh");
        assertTrue(jobs.heartbeat(first.id(), "node-a"));
        assertFalse(jobs.heartbeat(first.id(), "node-b"), "node-b does not own it");
    }

    @Test
    void aJobCreatedClaimedIsRunningAndOwnedFromItsFirstRowLocksItsVmsAndIsRefusedAsCreateIs() {
        Job job = jobs.createClaimed("upgrade", "kv", "a@h", Map.of("image", "img-2"), "node-a");
        assertEquals(JobState.RUNNING, job.state());
        assertEquals(Optional.of("node-a"), job.owner());
        assertTrue(job.heartbeat().isPresent());
        assertTrue(jobs.entry(job.id()).orElseThrow().startedAt().isPresent(), "it started when it was created");
        assertEquals(Optional.empty(), jobs.claim("node-b", LONG), "nobody else can claim it while its heartbeat is fresh");
        assertTrue(jobs.heartbeat(job.id(), "node-a"));

        var e = assertThrows(LiveJobExistsException.class, () -> jobs.createClaimed("failover", "kv", "b@h", Map.of(), "node-b"));
        assertEquals(job.id(), e.liveJobId());
        String member = inventory.pair("kv").orElseThrow().system0();
        assertEquals(Optional.of(job.id()), jobs.liveJobOn(member).map(Job::id), "its VMs are locked");
        assertThrows(NotInInventoryException.class, () -> jobs.createClaimed("upgrade", "ghost", "a@h", Map.of(), "node-a"));

        jobs.finish(job.id(), JobState.SUCCEEDED, Optional.empty());
        assertEquals(Optional.empty(), jobs.liveJobOn(member), "its end releases them");
    }

    @Test
    void theLastStepsDoneAndTheJobsEndAreWrittenTogetherAndNeitherForAJobThatHasEnded() {
        Job job = jobs.createClaimed("upgrade", "kv", "a@h", Map.of(), "node-a");
        jobs.stepStarted(job.id(), "S29");
        jobs.stepDoneThenFinish(job.id(), "S29", Map.of("elapsed-ms", "12"), JobState.SUCCEEDED, Optional.empty());
        assertEquals(JobState.SUCCEEDED, jobs.job(job.id()).orElseThrow().state());
        List<StepRecord> journal = jobs.journal(job.id());
        assertEquals(List.of(StepState.DONE), journal.stream().map(StepRecord::state).toList());
        assertEquals(Map.of("elapsed-ms", "12"), journal.get(0).outputs());
        assertEquals(Optional.empty(), jobs.liveJobOn(inventory.pair("kv").orElseThrow().system0()), "its VMs are released");

        Job other = jobs.createClaimed("upgrade", "web", "a@h", Map.of(), "node-a");
        jobs.stepStarted(other.id(), "S21");
        jobs.finish(other.id(), JobState.FAILED, Optional.of("taken over and ended elsewhere"));
        var e = assertThrows(IllegalStateException.class,
                () -> jobs.stepDoneThenFinish(other.id(), "S21", Map.of(), JobState.SUCCEEDED, Optional.empty()));
        assertTrue(e.getMessage().contains("has already ended"), e.getMessage());
        assertEquals(JobState.FAILED, jobs.job(other.id()).orElseThrow().state());
        assertEquals(List.of(StepState.STARTED), jobs.journal(other.id()).stream().map(StepRecord::state).toList(),
                "the DONE is not written to a journal whose job ended");
        assertThrows(IllegalStateException.class,
                () -> jobs.stepDoneThenFinish(other.id() + 1000, "S21", Map.of(), JobState.SUCCEEDED, Optional.empty()));
    }

    @Test
    void aStaleJobIsTakenOverAndItsOldOwnerLearnsOnHeartbeat() throws InterruptedException {
        Job job = jobs.create("upgrade", "kv", "a@h", Map.of());
        assertEquals(job.id(), jobs.claim(job.id(), "node-a", LONG).orElseThrow().id());
        assertEquals(Optional.empty(), jobs.claim(job.id(), "node-b", Duration.ofSeconds(30)), "heartbeat is fresh");

        Thread.sleep(300);
        Job taken = jobs.claim(job.id(), "node-b", Duration.ofMillis(200)).orElseThrow();
        assertEquals(Optional.of("node-b"), taken.owner());
        assertFalse(jobs.heartbeat(job.id(), "node-a"), "node-a was taken over");
        assertTrue(jobs.heartbeat(job.id(), "node-b"));

        jobs.finish(job.id(), JobState.ROLLED_BACK, Optional.empty());
        Job done = jobs.job(job.id()).orElseThrow();
        assertEquals(JobState.ROLLED_BACK, done.state());
        assertEquals(Optional.empty(), done.owner());
        assertFalse(jobs.heartbeat(job.id(), "node-b"), "a finished job has no owner");
        assertEquals(Optional.empty(), jobs.claim(job.id(), "node-c", Duration.ZERO), "a finished job is not claimable");
        assertThrows(IllegalStateException.class, () -> jobs.finish(job.id(), JobState.SUCCEEDED, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> jobs.finish(job.id(), JobState.RUNNING, Optional.empty()));
    }

    @Test
    void abandonedListsStaleReleasedAndOrphanedJobsOfTheGivenKindsButNotOneItsCreatorIsAboutToClaim() throws InterruptedException {
        java.util.Set<String> upgrades = java.util.Set.of("upgrade");
        Job fresh = jobs.create("upgrade", "kv", "a@h", Map.of());
        assertEquals(List.of(), jobs.abandoned(upgrades, LONG, 10), "just created: its creator claims it next");
        Job failover = jobs.create("failover", "web", "a@h", Map.of());

        jobs.claim(fresh.id(), "node-a", LONG).orElseThrow();
        assertEquals(List.of(), jobs.abandoned(upgrades, LONG, 10), "running with a fresh heartbeat");
        Thread.sleep(300);
        assertEquals(List.of(fresh.id()), jobs.abandoned(upgrades, Duration.ofMillis(200), 10), "its owner stopped beating");
        assertEquals(List.of(), jobs.abandoned(java.util.Set.of("rollback"), Duration.ofMillis(200), 10), "other kinds only");
        assertEquals(List.of(failover.id()), jobs.abandoned(java.util.Set.of("failover"), Duration.ofMillis(200), 10),
                "never claimed and older than stale-after: its creator died");

        jobs.heartbeat(fresh.id(), "node-a");
        assertTrue(jobs.release(fresh.id(), "node-a"));
        assertEquals(List.of(fresh.id()), jobs.abandoned(upgrades, LONG, 10), "handed back by a draining node: at once");
        assertEquals(List.of(), jobs.abandoned(upgrades, LONG, 0));
        assertEquals(List.of(), jobs.abandoned(java.util.Set.of(), LONG, 10));

        jobs.finish(fresh.id(), JobState.FAILED, Optional.of("x"));
        assertEquals(List.of(), jobs.abandoned(upgrades, Duration.ZERO, 10), "an ended job is nobody's to take");
        assertThrows(IllegalArgumentException.class, () -> jobs.abandoned(upgrades, Duration.ofSeconds(-1), 10));
    }

    @Test
    void theJournalKeepsTheLatestRecordPerStepInOrder() {
        Job job = jobs.create("upgrade", "kv", "a@h", Map.of());
        jobs.stepStarted(job.id(), "S21");
        jobs.stepDone(job.id(), "S21", Map.of("vm-ref", "vm-42"));
        jobs.stepStarted(job.id(), "S22");
        jobs.stepFailed(job.id(), "S22", "disk full");
        jobs.stepStarted(job.id(), "S23");

        List<StepRecord> journal = jobs.journal(job.id());
        assertEquals(List.of("S21", "S22", "S23"), journal.stream().map(StepRecord::stepId).toList());
        assertEquals(List.of(StepState.DONE, StepState.FAILED, StepState.STARTED), journal.stream().map(StepRecord::state).toList());
        assertEquals(Map.of("vm-ref", "vm-42"), journal.get(0).outputs());
        assertTrue(journal.get(0).endedAt().isPresent());
        assertEquals(Optional.of("disk full"), journal.get(1).error());
        assertEquals(Optional.empty(), journal.get(2).endedAt());

        jobs.stepStarted(job.id(), "S22"); // resumed: the retry is the latest record, written last
        jobs.stepDone(job.id(), "S22", Map.of());
        journal = jobs.journal(job.id());
        assertEquals(List.of("S21", "S23", "S22"), journal.stream().map(StepRecord::stepId).toList());
        assertEquals(StepState.DONE, journal.get(2).state());
        assertEquals(Optional.empty(), journal.get(2).error());

        jobs.stepDone(job.id(), "R1", Map.of("note", "ended without a journaled start"));
        assertEquals(StepState.DONE, jobs.journal(job.id()).get(3).state());
        assertEquals(List.of(), jobs.journal(job.id() + 1000));
        assertThrows(NotInInventoryException.class, () -> jobs.stepStarted(job.id() + 1000, "S1"));
    }

    @Test
    void aStepsDoneAndTheNextStepsStartAreWrittenTogetherOrNotAtAll() {
        Job job = jobs.create("upgrade", "kv", "a@h", Map.of());
        jobs.stepStarted(job.id(), "S21");
        jobs.stepDoneThenStarted(job.id(), "S21", Map.of("vm-ref", "vm-42"), "S22");

        List<StepRecord> journal = jobs.journal(job.id());
        assertEquals(List.of("S21", "S22"), journal.stream().map(StepRecord::stepId).toList());
        assertEquals(List.of(StepState.DONE, StepState.STARTED), journal.stream().map(StepRecord::state).toList());
        assertEquals(Map.of("vm-ref", "vm-42"), journal.get(0).outputs());

        // PostgreSQL refuses a NUL in text: the next step's STARTED fails, and the DONE with it.
        assertThrows(RuntimeException.class, () -> jobs.stepDoneThenStarted(job.id(), "S22", Map.of("a", "b"), "S23\u0000"));
        journal = jobs.journal(job.id());
        assertEquals(List.of(StepState.DONE, StepState.STARTED), journal.stream().map(StepRecord::state).toList(), journal.toString());
        assertEquals(2, journal.size());
    }

    @Test
    void manyJobsBoundariesWrittenAtOnceEachLandInTheirOwnJournalAndAnUnknownJobFailsAlone() throws Exception {
        List<Job> many = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Fixtures.addPair(inventory, "fleet" + i);
            many.add(jobs.create("upgrade", "fleet" + i, "a@h", Map.of()));
        }
        long unknown = many.get(many.size() - 1).id() + 1000;
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(41);
        try {
            List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
            for (Job job : many) {
                runs.add(workers.submit(() -> {
                    jobs.stepStarted(job.id(), "S21");
                    for (int step = 22; step <= 29; step++) {
                        jobs.stepDoneThenStarted(job.id(), "S" + (step - 1), Map.of("job", Long.toString(job.id())), "S" + step);
                    }
                }));
            }
            java.util.concurrent.Future<?> stranger = workers.submit(() -> jobs.stepDoneThenStarted(unknown, "S21", Map.of(), "S22"));
            for (java.util.concurrent.Future<?> run : runs) {
                run.get(1, java.util.concurrent.TimeUnit.MINUTES);
            }
            java.util.concurrent.ExecutionException refused = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> stranger.get(1, java.util.concurrent.TimeUnit.MINUTES));
            assertTrue(refused.getCause() instanceof NotInInventoryException, refused.getCause().toString());
        } finally {
            workers.shutdownNow();
        }
        for (Job job : many) {
            List<StepRecord> journal = jobs.journal(job.id());
            assertEquals(List.of("S21", "S22", "S23", "S24", "S25", "S26", "S27", "S28", "S29"),
                    journal.stream().map(StepRecord::stepId).toList());
            assertEquals(StepState.STARTED, journal.get(8).state());
            for (StepRecord done : journal.subList(0, 8)) {
                assertEquals(StepState.DONE, done.state(), journal.toString());
                assertEquals(Map.of("job", Long.toString(job.id())), done.outputs(), "each DONE carries its own job's outputs");
            }
        }
        assertEquals(List.of(), jobs.journal(unknown));
    }

    @Test
    void aKeptLineIsDoneAtOnceReplacesTheOneBeforeAndIsOnDiskWhenWritten() {
        Job job = jobs.createClaimed("upgrade", "kv", "a@h", Map.of(), "node-a");
        jobs.stepStarted(job.id(), "S22");
        int onDisk = 0;
        for (int revision = 1; revision <= 10; revision++) {
            jobs.keptLine(job.id(), "S22.kv-0/environment", Map.of("revision", Integer.toString(revision)));
            // A synchronous commit returns once the WAL is flushed past it; a commit left to the WAL writer is flushed
            // up to 200 ms later. Nothing else writes here, so the WAL's end is this commit's (an autovacuum may intrude).
            if (database.jdbi().withHandle(h -> h.createQuery("SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()")
                    .mapTo(Boolean.class).one())) {
                onDisk++;
            }
        }
        assertTrue(onDisk >= 8, "the kept line was on disk when written in only " + onDisk + " of 10 writes");

        List<StepRecord> journal = jobs.journal(job.id());
        assertEquals(List.of("S22", "S22.kv-0/environment"), journal.stream().map(StepRecord::stepId).toList());
        assertEquals(List.of(StepState.STARTED, StepState.DONE), journal.stream().map(StepRecord::state).toList());
        assertEquals(Map.of("revision", "10"), journal.get(1).outputs(), "the last kept replaced the ones before");
        assertThrows(NotInInventoryException.class, () -> jobs.keptLine(job.id() + 1000, "S22.kv-0/environment", Map.of()));
    }

    @Test
    void aHeartbeatCommittedWithoutWaitingForTheDiskStillSaysWhoOwnsTheJob() {
        Job job = jobs.create("upgrade", "kv", "a@h", Map.of());
        Job claimed = jobs.claim(job.id(), "node-a", LONG).orElseThrow();
        assertTrue(jobs.heartbeat(job.id(), "node-a"));
        assertTrue(jobs.job(job.id()).orElseThrow().heartbeat().orElseThrow().compareTo(claimed.heartbeat().orElseThrow()) >= 0);
        assertFalse(jobs.heartbeat(job.id(), "node-b"));
        assertEquals("on", database.jdbi().withHandle(h -> h.createQuery("SHOW synchronous_commit").mapTo(String.class).one()),
                "the setting was local to the heartbeat's transaction");
    }

    @Test
    void theNoDiskWaitTableTurnsSynchronousCommitOffForItsOwnStatementsTransactionOnly() {
        // PostgreSQL applies the setting in effect when a transaction commits; a statement that reads the table
        // (and commits on its own) has it off until then, and the next statement on the connection has it on again
        database.jdbi().useHandle(h -> {
            assertEquals("off", h.createQuery("SELECT current_setting('synchronous_commit') FROM " + JdbiJobQueue.NO_DISK_WAIT)
                    .mapTo(String.class).one());
            assertEquals("on", h.createQuery("SELECT current_setting('synchronous_commit')").mapTo(String.class).one());
        });
    }

    @Test
    void oneBeatRefreshesEveryJobTheNodeStillOwnsAndNamesThem() throws InterruptedException {
        Job kv = jobs.create("upgrade", "kv", "a@h", Map.of());
        Job web = jobs.create("upgrade", "web", "a@h", Map.of());
        Job kvClaimed = jobs.claim(kv.id(), "node-a", LONG).orElseThrow();
        jobs.claim(web.id(), "node-a", LONG).orElseThrow();
        Thread.sleep(1100);
        jobs.claim(web.id(), "node-b", Duration.ofSeconds(1)).orElseThrow(); // node-b takes web over

        assertEquals(java.util.Set.of(kv.id()), jobs.heartbeat(List.of(kv.id(), web.id(), kv.id() + 1000), "node-a"));
        assertTrue(jobs.job(kv.id()).orElseThrow().heartbeat().orElseThrow().isAfter(kvClaimed.heartbeat().orElseThrow()));
        assertEquals(Optional.of("node-b"), jobs.job(web.id()).orElseThrow().owner(), "node-a's beat did not touch node-b's job");
        assertEquals(java.util.Set.of(), jobs.heartbeat(List.of(), "node-a"));
    }
}
