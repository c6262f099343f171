package dev.duplex.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.token.TokenRole;
import dev.duplex.engine.token.TokenService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Jobs run where they are claimed, across real processes: two server nodes on one PostgreSQL (the
 * embedded one of one installation, shared by its processes), an upgrade POSTed to node A, A killed
 * with SIGKILL in the middle of it, and node B taking the job over by itself once A's heartbeat is
 * older than {@code duplex.job.stale-after}, and finishing it.
 */
class JobTakeOverTest {
    /** Longer than the engine's heartbeat period (5 s), so a live owner never looks stale. */
    private static final Duration STALE_AFTER = Duration.ofSeconds(10);

    @Test
    void whenTheNodeRunningAnUpgradeIsKilledAnotherTakesItOverAfterStaleAfterAndCompletesIt() throws Exception {
        try (RunningServer installation = new RunningServer(Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "duplex-takeover"),
                "duplex.job.stale-after=" + STALE_AFTER + "\n")) {
            KvPair.prepare(installation);
            // A slow health check and resync (a 2.5 s poll): the upgrade is mid-way for a while.
            KvPair pair = KvPair.start(installation, "kvtake", Map.of("timeout-ms", "120000", "poll-ms", "2500"));
            try {
                String operator = installation.get(TokenService.class).create("takeover-op", TokenRole.OPERATOR, "test").secret();
                JobQueue jobs = installation.get(JobQueue.class);
                try (ServerNode a = ServerNode.start(installation.home, "a"); ServerNode b = ServerNode.start(installation.home, "b")) {
                    Api.Answer accepted = a.api().post("/api/v1/pairs/kvtake/upgrades", operator, "{\"image\":\"kv-v2\"}");
                    assertEquals(202, accepted.status(), accepted.toString());
                    long jobId = accepted.json().get("job").asLong();

                    Job running = jobs.job(jobId).orElseThrow();
                    String ownerA = running.owner().orElseThrow();
                    assertTrue(ownerA.endsWith("/" + a.pid()), "node A claimed the job it was asked for: " + running);
                    a.kill();
                    Instant killed = Instant.now();
                    assertEquals(JobState.RUNNING, jobs.job(jobId).orElseThrow().state(), "killed mid-job: " + jobs.journal(jobId));
                    assertFalse(jobs.journal(jobId).stream().anyMatch(s -> s.stepId().equals("S29") && s.state() == StepState.DONE));

                    Optional<Instant> takenOver = Optional.empty();
                    Job job = jobs.job(jobId).orElseThrow();
                    Instant deadline = Instant.now().plusSeconds(300);
                    while (job.state().live() && Instant.now().isBefore(deadline)) {
                        if (takenOver.isEmpty() && job.owner().isPresent() && !job.owner().get().equals(ownerA)) {
                            takenOver = Optional.of(Instant.now());
                            assertTrue(job.owner().get().endsWith("/" + b.pid()), "node B took it: " + job);
                        }
                        Thread.sleep(100);
                        job = jobs.job(jobId).orElseThrow();
                    }
                    assertEquals(JobState.SUCCEEDED, job.state(), job + " " + jobs.journal(jobId));
                    assertTrue(takenOver.isPresent(), "node B ran it to the end");
                    takenOver.ifPresent(at -> assertTrue(Duration.between(killed, at).compareTo(STALE_AFTER.minusSeconds(1)) >= 0,
                            "not before A's heartbeat went stale: " + Duration.between(killed, at)));
                    assertTrue(b.alive());

                    Inventory inventory = installation.get(Inventory.class);
                    for (String member : pair.members) {
                        assertEquals("kv-v2", inventory.vm(member).orElseThrow().image(), member + " runs the new image");
                    }
                    Api.Answer seen = b.api().get("/api/v1/jobs/" + jobId, operator);
                    assertEquals("SUCCEEDED", seen.json().get("job").get("state").asText(), seen.toString());
                }
            } finally {
                pair.stop();
            }
        }
    }
}
