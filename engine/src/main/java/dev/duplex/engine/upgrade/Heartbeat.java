package dev.duplex.engine.upgrade;

import java.util.Map;
import org.slf4j.MDC;

/**
 * A claimed job's heartbeat while this process runs it, kept fresh by the node's
 * {@link NodeHeartbeat}; closing it stops the beats for this job.
 */
final class Heartbeat implements AutoCloseable {
    private final NodeHeartbeat beats;
    private final long jobId;
    private final String node;
    private final Map<String, String> logContext;
    private volatile boolean lost;

    Heartbeat(NodeHeartbeat beats, long jobId, String node, Map<String, String> logContext) {
        this.beats = beats;
        this.jobId = jobId;
        this.node = node;
        this.logContext = logContext == null ? Map.of() : Map.copyOf(logContext);
    }

    long jobId() {
        return jobId;
    }

    /**
     * This node no longer owns the job: the next {@link #check} stops the run. Not logged here: a
     * job that just ended under this node is also no longer owned, and {@link #check} says it.
     */
    void markLost() {
        lost = true;
    }

    /**
     * Runs {@code line} with the log context of the thread that runs the job (process id, command,
     * job), so that a line the timer thread writes names them too: MDC is per thread, not inherited.
     */
    void inLogContext(Runnable line) {
        Map<String, String> previous = MDC.getCopyOfContextMap();
        MDC.setContextMap(logContext);
        try {
            line.run();
        } finally {
            if (previous == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(previous);
            }
        }
    }

    /** Throws when another process took the job over: this one must stop touching the pair. */
    void check() {
        if (lost) {
            throw new OwnershipLost("Job #" + jobId + " was taken over by another process; " + node + " stops here");
        }
    }

    @Override
    public void close() {
        beats.stop(this);
    }

    /** This process no longer owns the job. */
    static final class OwnershipLost extends StepFailure {
        private static final long serialVersionUID = 1L;

        OwnershipLost(String message) {
            super(message);
        }
    }
}
