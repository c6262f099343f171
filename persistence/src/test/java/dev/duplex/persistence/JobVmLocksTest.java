package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One job lock per VM, shared by pair jobs and single-VM jobs, kept by the database (V6): a pair
 * job locks both members, a single-VM job its VM, and a job that ends releases them.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobVmLocksTest {
    private static final Map<String, String> ONE_MEMBER = Map.of("members", "1");

    private Database database;
    private JdbiJobQueue jobs;
    private JdbiInventory inventory;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("job_vm_locks_test");
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
                "TRUNCATE endpoints, images, volumes, vms, vm_links, pairs, pair_members, jobs, job_steps, job_vm_locks CASCADE"));
        Fixtures.addPair(inventory, "kv");
        inventory.addVm(Fixtures.vm("lone", "ep-kv", "img-kv"));
    }

    @Test
    void aSingleVmJobOnAMemberKeepsEveryPairJobOffThePair() {
        Job single = jobs.create("upgrade-vm", "kv-1", "a@h", ONE_MEMBER);
        for (String kind : List.of("upgrade", "failover", "rollback")) {
            var e = assertThrows(LiveJobExistsException.class, () -> jobs.create(kind, "kv", "b@h", Map.of()), kind);
            assertEquals(single.id(), e.liveJobId());
            assertEquals("'kv-1' is in live upgrade-vm job #" + single.id() + " (PENDING): wait for it, or run `duplex upgrade resume "
                    + single.id() + "`", e.getMessage());
        }
        assertEquals(List.of(single.id()), jobs.jobs("kv-1").stream().map(Job::id).toList());
        assertEquals(List.of(), jobs.jobs("kv"), "no pair job was left behind by the refusals");
    }

    @Test
    void aPairJobHoldsBothMembersAgainstSingleVmJobs() {
        Job failover = jobs.create("failover", "kv", "a@h", Map.of());
        jobs.claim(failover.id(), "node-a", Duration.ofMinutes(5)).orElseThrow();
        for (String member : List.of("kv-0", "kv-1")) {
            var e = assertThrows(LiveJobExistsException.class, () -> jobs.create("upgrade-vm", member, "b@h", ONE_MEMBER));
            assertEquals("'" + member + "' is in live failover job #" + failover.id() + " (RUNNING) of 'kv': wait for it, or run"
                    + " `duplex failover kv`", e.getMessage());
            assertEquals(Optional.of(failover.id()), jobs.liveJobOn(member).map(Job::id));
        }
        assertEquals(Optional.empty(), jobs.liveJobOn("lone"));
        jobs.create("upgrade-vm", "lone", "b@h", ONE_MEMBER); // a VM outside the pair is free
    }

    @Test
    void oneLookFindsThePairsOwnJobFirstThenAJobHoldingAMember() {
        assertEquals(Optional.empty(), jobs.liveJobTouching("kv", List.of("kv-0", "kv-1")));

        Job single = jobs.create("upgrade-vm", "kv-1", "a@h", ONE_MEMBER);
        assertEquals(Optional.of(single.id()), jobs.liveJobTouching("kv", List.of("kv-0", "kv-1")).map(Job::id));
        assertEquals(Optional.empty(), jobs.liveJobTouching("kv", List.of("kv-0")), "kv-0 is free and kv has no job of its own");
        jobs.finish(single.id(), JobState.SUCCEEDED, Optional.empty());
        assertEquals(Optional.empty(), jobs.liveJobTouching("kv", List.of("kv-0", "kv-1")), "an ended job holds nothing");

        Job pairJob = jobs.create("upgrade", "kv", "a@h", Map.of());
        jobs.create("upgrade-vm", "lone", "a@h", ONE_MEMBER);
        assertEquals(Optional.of(pairJob.id()), jobs.liveJobTouching("kv", List.of("lone", "kv-0")).map(Job::id),
                "the pair's own job comes first");
        assertEquals(jobs.liveJob("kv"), jobs.liveJobTouching("kv", List.of()));
    }

    @Test
    void anEndedJobReleasesItsVmsWhateverHowItEnded() {
        for (JobState end : List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.ROLLED_BACK)) {
            Job pairJob = jobs.create("upgrade", "kv", "a@h", Map.of());
            jobs.finish(pairJob.id(), end, end == JobState.FAILED ? Optional.of("boom") : Optional.empty());
            assertEquals(Optional.empty(), jobs.liveJobOn("kv-0"), end.name());
            Job single = jobs.create("upgrade-vm", "kv-0", "a@h", ONE_MEMBER);
            assertEquals(Optional.of(single.id()), jobs.liveJobOn("kv-0").map(Job::id));
            jobs.finish(single.id(), end, Optional.of("x"));
        }
        assertEquals(0, lockCount());
    }

    @Test
    void theLockIsTheDatabasesRuleNotTheApplicationsCheck() {
        Job single = jobs.create("upgrade-vm", "kv-0", "a@h", ONE_MEMBER);
        // A second writer that skips every check of ours still cannot take the VM.
        JdbiException refused = assertThrows(JdbiException.class, () -> database.jdbi().useHandle(h -> h.execute(
                "INSERT INTO job_vm_locks (vm, job_id) VALUES ('kv-0', ?)", single.id())));
        assertTrue(refused.getMessage().contains("job_vm_locks_pkey"), refused.getMessage());
        assertThrows(JdbiException.class, () -> database.jdbi().useHandle(h -> h.execute(
                "INSERT INTO jobs (kind, pair, requested_by) VALUES ('upgrade', 'kv', 'raw@sql')")));
        assertEquals(1, lockCount());
    }

    @Test
    void aVmHeldByALiveJobCannotBeRemovedFromTheInventory() {
        Job single = jobs.create("upgrade-vm", "lone", "a@h", ONE_MEMBER);
        var e = assertThrows(InventoryConflictException.class, () -> inventory.removeVm("lone"));
        assertTrue(e.getMessage().contains("#" + single.id()), e.getMessage());
        assertTrue(inventory.vm("lone").isPresent());
    }

    @Test
    void twoSingleVmJobsStartedAtOnceNeverBothHoldTheVm() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 25; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Optional<Job>>> attempts = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    String who = "racer-" + i;
                    Callable<Optional<Job>> attempt = () -> {
                        go.await();
                        try {
                            return Optional.of(jobs.create("upgrade-vm", "lone", who, ONE_MEMBER));
                        } catch (LiveJobExistsException refused) {
                            return Optional.empty();
                        }
                    };
                    attempts.add(pool.submit(attempt));
                }
                go.countDown();
                List<Job> won = new ArrayList<>();
                for (Future<Optional<Job>> attempt : attempts) {
                    attempt.get().ifPresent(won::add);
                }
                assertEquals(1, won.size(), "round " + round + ": " + won);
                jobs.finish(won.get(0).id(), JobState.SUCCEEDED, Optional.empty());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private long lockCount() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM job_vm_locks").mapTo(Long.class).one());
    }
}
