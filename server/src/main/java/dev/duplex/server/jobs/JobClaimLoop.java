package dev.duplex.server.jobs;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.upgrade.UpgradeRefusedException;
import dev.duplex.persistence.JdbiJobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node take over the jobs no process runs: every {@code every}, it lists the live upgrade
 * jobs whose owner's heartbeat is older than {@code staleAfter} (or that a draining node handed
 * back) and resumes each here from its journal. The listing locks nothing; the resume claims the
 * job with a row lock, so when two nodes see the same job one wins and the other is refused and
 * moves on. Stops taking jobs once the runner drains.
 */
public final class JobClaimLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobClaimLoop.class);
    /** The job kinds {@link JobRunner} can resume: the engine's upgrade, single-VM upgrade and rollback jobs. */
    static final Set<String> RESUMABLE = Set.of("upgrade", "upgrade-vm", "rollback");
    /** At most this many jobs are taken per pass, so one node does not take every abandoned job at once. */
    private static final int PER_PASS = 4;

    private final JdbiJobQueue jobs;
    private final JobRunner runner;
    private final Duration staleAfter;
    private final String node;
    private final ScheduledExecutorService timer;

    public JobClaimLoop(JdbiJobQueue jobs, JobRunner runner, Duration staleAfter, String node, Duration every) {
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.staleAfter = requireNonNull(staleAfter, "staleAfter is null");
        this.node = requireNonNull(node, "node is null");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "duplex-job-claims");
            thread.setDaemon(true);
            return thread;
        });
        long ms = Math.max(50, every.toMillis());
        timer.scheduleWithFixedDelay(this::pass, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** How often a node looks: a quarter of stale-after, between a quarter second and five seconds. */
    public static Duration interval(Duration staleAfter) {
        long ms = Math.min(5000, Math.max(250, staleAfter.toMillis() / 4));
        return Duration.ofMillis(ms);
    }

    /** One look at the queue; what fails is logged and retried on the next pass (the database may be restarting). */
    void pass() {
        if (runner.draining()) {
            return;
        }
        try {
            List<Long> candidates = jobs.abandoned(RESUMABLE, staleAfter, PER_PASS);
            for (long id : candidates) {
                if (runner.draining()) {
                    return;
                }
                if (!runner.runs(id)) {
                    takeOver(id);
                }
            }
        } catch (RuntimeException e) {
            log.warn("Looking for abandoned jobs failed; trying again in a moment: {}", e.getMessage());
        }
    }

    private void takeOver(long id) {
        try {
            runner.resume(id);
            log.info("Job #{} had no live owner; {} took it over and resumes it from its journal", id, node);
        } catch (UpgradeRefusedException | LiveJobExistsException e) {
            // another node claimed it first, or it ended meanwhile
            log.debug("Job #{} not taken over: {}", id, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Taking over job #{} failed: {}", id, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
