package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps fresh the heartbeats of every job this node runs, with one write per beat for all of them
 * and one timer thread: a fleet runs hundreds of pair jobs at once, and a thread and a write per job
 * per beat made the heartbeats compete with the journal for connections. The timer runs only while
 * a job is beating.
 */
final class NodeHeartbeat {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final JobQueue jobQueue;
    private final String node;
    private final Duration every;
    private final Map<Long, Heartbeat> beating = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer; // guarded by this

    NodeHeartbeat(JobQueue jobQueue, String node, Duration every) {
        this.jobQueue = requireNonNull(jobQueue, "jobQueue is null");
        this.node = requireNonNull(node, "node is null");
        this.every = requireNonNull(every, "every is null");
    }

    /**
     * Starts beating for a job this node has claimed, until the returned heartbeat is closed. A line
     * the timer logs about the job carries the log context of the calling thread (the job's).
     */
    synchronized Heartbeat start(long jobId) {
        Heartbeat heartbeat = new Heartbeat(this, jobId, node, MDC.getCopyOfContextMap());
        beating.put(jobId, heartbeat);
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "duplex-heartbeat-" + node);
                thread.setDaemon(true);
                return thread;
            });
            long ms = Math.max(1, every.toMillis());
            timer.scheduleAtFixedRate(this::beat, ms, ms, TimeUnit.MILLISECONDS);
        }
        return heartbeat;
    }

    synchronized void stop(Heartbeat heartbeat) {
        beating.remove(heartbeat.jobId(), heartbeat);
        if (beating.isEmpty() && timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private void beat() {
        List<Heartbeat> now = List.copyOf(beating.values());
        if (now.isEmpty()) {
            return;
        }
        Set<Long> owned;
        try {
            owned = jobQueue.heartbeat(now.stream().map(Heartbeat::jobId).toList(), node);
        } catch (RuntimeException e) {
            for (Heartbeat heartbeat : now) {
                if (beating.get(heartbeat.jobId()) == heartbeat) { // one whose job ended meanwhile lost nothing
                    heartbeat.inLogContext(() -> log.warn("Heartbeat of job #{} failed: {}", heartbeat.jobId(), e.getMessage()));
                }
            }
            return;
        }
        for (Heartbeat heartbeat : now) {
            if (!owned.contains(heartbeat.jobId()) && beating.get(heartbeat.jobId()) == heartbeat) {
                heartbeat.markLost();
            }
        }
    }
}
