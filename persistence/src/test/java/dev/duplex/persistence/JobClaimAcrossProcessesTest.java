package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two real JVMs claim from one queue: each job exactly once, and a killed owner's job is taken over. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobClaimAcrossProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Database database;
    private String url;
    private JdbiJobQueue jobs;
    private JdbiInventory inventory;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("claim_test");
        url = server.url("claim_test");
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
    }

    @Test
    void twoProcessesClaimEachJobExactlyOnce(@TempDir Path temp) throws Exception {
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Fixtures.addPair(inventory, "p" + i);
            created.add(jobs.create("upgrade", "p" + i, "test@host", Map.of()).id());
        }
        Path go = temp.resolve("go");
        try (ChildJvm a = ChildJvm.start(ClaimWorkerMain.class, url, "node-a", "drain", "60000", go.toString());
                ChildJvm b = ChildJvm.start(ClaimWorkerMain.class, url, "node-b", "drain", "60000", go.toString())) {
            a.awaitLine("READY", WAIT);
            b.awaitLine("READY", WAIT);
            Files.createFile(go);
            a.awaitLine("END", WAIT);
            b.awaitLine("END", WAIT);
            assertEquals(0, a.awaitExit(WAIT));
            assertEquals(0, b.awaitExit(WAIT));

            List<Long> byA = claimed(a.seen());
            List<Long> byB = claimed(b.seen());
            List<Long> all = new ArrayList<>(byA);
            all.addAll(byB);
            assertEquals(all.size(), new HashSet<>(all).size(), "a job was claimed twice: A " + byA + ", B " + byB);
            assertEquals(new HashSet<>(created), new HashSet<>(all), "every job claimed: A " + byA + ", B " + byB);
            assertFalse(byA.isEmpty(), "A claimed nothing: " + byB);
            assertFalse(byB.isEmpty(), "B claimed nothing: " + byA);
            assertTrue(a.seen().stream().noneMatch(l -> l.startsWith("LOST")) && b.seen().stream().noneMatch(l -> l.startsWith("LOST")));
        }
        for (long id : created) {
            assertEquals(JobState.SUCCEEDED, jobs.job(id).orElseThrow().state());
        }
    }

    @Test
    void aKilledOwnersJobIsTakenOverAfterItGoesStale(@TempDir Path temp) throws Exception {
        Fixtures.addPair(inventory, "kv");
        Job job = jobs.create("upgrade", "kv", "test@host", Map.of());
        Path go = temp.resolve("go");
        Files.createFile(go);
        long staleMillis = 1500;
        try (ChildJvm holder = ChildJvm.start(ClaimWorkerMain.class, url, "node-a", "hold", Long.toString(staleMillis), go.toString())) {
            assertEquals("CLAIMED " + job.id(), holder.awaitLine("CLAIMED", WAIT));
            try (ChildJvm taker = ChildJvm.start(ClaimWorkerMain.class, url, "node-b", "takeover", Long.toString(staleMillis), go.toString())) {
                taker.awaitLine("READY", WAIT);
                Thread.sleep(2 * staleMillis); // longer than staleAfter, but the holder heart-beats
                assertTrue(taker.drain().stream().noneMatch(l -> l.startsWith("CLAIMED")), "taken while its owner lived");
                assertEquals(Optional.of("node-a"), jobs.job(job.id()).orElseThrow().owner());

                holder.kill();
                long killedAt = System.nanoTime();
                assertEquals("CLAIMED " + job.id() + " node-b", taker.awaitLine("CLAIMED", WAIT));
                Duration takenAfter = Duration.ofNanos(System.nanoTime() - killedAt);
                assertTrue(takenAfter.compareTo(Duration.ofMillis(staleMillis + 5000)) < 0, "took over only after " + takenAfter);
                assertEquals(0, taker.awaitExit(WAIT));
            }
        }
        assertFalse(jobs.heartbeat(job.id(), "node-a"), "the killed owner no longer owns the job");
        assertEquals(JobState.SUCCEEDED, jobs.job(job.id()).orElseThrow().state());
    }

    private static List<Long> claimed(List<String> lines) {
        List<Long> ids = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("CLAIMED ")) {
                ids.add(Long.parseLong(line.split(" ")[1]));
            }
        }
        return ids;
    }

}
