package dev.duplex.engine.fleet;

import dev.duplex.engine.job.JobQueue;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the fleet job's heartbeat fresh while this process runs it, so no other node takes it over. */
final class FleetHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetHeartbeat.class);

    private final ScheduledExecutorService timer;

    FleetHeartbeat(JobQueue jobs, long jobId, String node, Duration every) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "duplex-heartbeat-fleet-" + jobId);
            thread.setDaemon(true);
            return thread;
        });
        long ms = Math.max(1, every.toMillis());
        timer.scheduleAtFixedRate(() -> {
            try {
                if (!jobs.heartbeat(jobId, node)) {
                    log.warn("Fleet job #{} was taken over by another node; this one no longer owns it", jobId);
                }
            } catch (RuntimeException e) {
                log.warn("Heartbeat of fleet job #{} failed: {}", jobId, e.getMessage());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
