package dev.duplex.persistence;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A job worker in its own JVM, for the two-process claim tests. Arguments: JDBC URL, node name,
 * mode ({@code drain}, {@code hold}, {@code takeover}), stale-after in milliseconds, go file.
 * Prints {@code READY}, then {@code CLAIMED <id>} for each job it claims, then {@code END}.
 */
public final class ClaimWorkerMain {
    private ClaimWorkerMain() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String node = args[1];
        String mode = args[2];
        Duration staleAfter = Duration.ofMillis(Long.parseLong(args[3]));
        Path go = Path.of(args[4]);
        try (Database database = Database.connect(TestServer.asSuperuser(url))) {
            JdbiJobQueue jobs = new JdbiJobQueue(database.jdbi());
            System.out.println("READY");
            while (!Files.exists(go)) {
                Thread.sleep(5);
            }
            switch (mode) {
                case "drain" -> drain(jobs, node, staleAfter);
                case "hold" -> hold(jobs, node, staleAfter);
                case "takeover" -> takeOver(jobs, node, staleAfter);
                default -> throw new IllegalArgumentException(mode);
            }
            System.out.println("END");
        }
    }

    /** Claims and finishes jobs until none is claimable. */
    private static void drain(JdbiJobQueue jobs, String node, Duration staleAfter) throws InterruptedException {
        for (Optional<Job> job = jobs.claim(node, staleAfter); job.isPresent(); job = jobs.claim(node, staleAfter)) {
            System.out.println("CLAIMED " + job.get().id());
            Thread.sleep(60);
            if (!jobs.heartbeat(job.get().id(), node)) {
                System.out.println("LOST " + job.get().id());
                continue;
            }
            jobs.finish(job.get().id(), JobState.SUCCEEDED, Optional.empty());
        }
    }

    /** Claims one job and heart-beats it until killed. */
    private static void hold(JdbiJobQueue jobs, String node, Duration staleAfter) throws InterruptedException {
        Job job = jobs.claim(node, staleAfter).orElseThrow();
        System.out.println("CLAIMED " + job.id());
        while (jobs.heartbeat(job.id(), node)) {
            Thread.sleep(200);
        }
        System.out.println("LOST " + job.id());
    }

    /** Polls until it can claim a job (a stale one), then finishes it. */
    private static void takeOver(JdbiJobQueue jobs, String node, Duration staleAfter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Job> job = jobs.claim(node, staleAfter);
            if (job.isPresent()) {
                System.out.println("CLAIMED " + job.get().id() + " " + job.get().owner().orElseThrow());
                jobs.finish(job.get().id(), JobState.SUCCEEDED, Optional.empty());
                return;
            }
            Thread.sleep(100);
        }
    }
}
