package dev.duplex.engine.upgrade;

import dev.duplex.engine.job.JobQueue;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Keeps a claimed job's heartbeat fresh from a background thread while this process runs it. */
final class Heartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final long jobId;
    private final String node;
    private final ScheduledExecutorService timer;
    private volatile boolean lost;

    Heartbeat(JobQueue jobQueue, long jobId, String node, Duration every) {
        this.jobId = jobId;
        this.node = node;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "duplex-heartbeat-job-" + jobId);
            thread.setDaemon(true);
            return thread;
        });
        long ms = Math.max(1, every.toMillis());
        // the log context of the thread that runs the job (process id, command, job): a line this
        // thread writes names them too, although MDC is per thread and not inherited
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        timer.scheduleAtFixedRate(() -> {
            if (logContext != null) {
                MDC.setContextMap(logContext);
            }
            try {
                if (!jobQueue.heartbeat(jobId, node)) {
                    lost = true;
                }
            } catch (RuntimeException e) {
                log.warn("Heartbeat of job #{} failed: {}", jobId, e.getMessage());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Throws when another process took the job over: this one must stop touching the pair. */
    void check() {
        if (lost) {
            throw new OwnershipLost("Job #" + jobId + " was taken over by another process; " + node + " stops here");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** This process no longer owns the job. */
    static final class OwnershipLost extends StepFailure {
        private static final long serialVersionUID = 1L;

        OwnershipLost(String message) {
            super(message);
        }
    }
}
