package dev.duplex.server.jobs;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The progress of the jobs this process runs, kept for their SSE subscribers. Publishing never
 * blocks the job: each subscriber has a bounded queue, and one that falls that far behind is
 * dropped (its stream closes; reconnecting with {@code Last-Event-ID} resumes it).
 */
public final class JobEvents {
    /** Jobs whose events are kept; the oldest ended ones are forgotten first. */
    private static final int KEPT_JOBS = 500;
    private static final int QUEUE = 1024;

    private final Map<Long, Stream> streams = new LinkedHashMap<>();

    /** A subscriber's view of one job's events. */
    public static final class Subscription implements AutoCloseable {
        private final Stream stream;
        private final BlockingQueue<JobEvent> queue = new ArrayBlockingQueue<>(QUEUE);
        private volatile boolean dropped;

        private Subscription(Stream stream) {
            this.stream = stream;
        }

        /** The next event, waiting at most {@code millis}; empty when none came. */
        public Optional<JobEvent> next(long millis) throws InterruptedException {
            return Optional.ofNullable(queue.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS));
        }

        /** Whether it fell too far behind and gets no more events. */
        public boolean dropped() {
            return dropped;
        }

        @Override
        public void close() {
            stream.subscribers.remove(this);
        }
    }

    private static final class Stream {
        final List<JobEvent> history = new ArrayList<>();
        final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
        boolean ended;
    }

    /** Whether this process has (or had) the job's events. */
    public synchronized boolean knows(long jobId) {
        return streams.containsKey(jobId);
    }

    /**
     * Opens the job's stream before its number is handed out: a client that subscribes before the job's
     * first event must get its live events, every step start included, not the journal's settled lines.
     */
    public synchronized void open(long jobId) {
        streams.computeIfAbsent(jobId, id -> new Stream());
        forgetOldEndedJobs();
    }

    /** Adds an event to the job's stream, numbering it. */
    public synchronized void publish(JobEvent event) {
        Stream stream = streams.computeIfAbsent(event.job(), id -> new Stream());
        if (stream.ended) {
            return;
        }
        JobEvent numbered = event.withId(stream.history.size() + 1L);
        stream.history.add(numbered);
        stream.ended = numbered.ends();
        for (Subscription subscription : stream.subscribers) {
            if (!subscription.queue.offer(numbered)) {
                subscription.dropped = true;
                stream.subscribers.remove(subscription);
            }
        }
        forgetOldEndedJobs();
    }

    /**
     * Subscribes to a job's events: those after {@code afterId} already published come first, in order,
     * then the new ones. Empty if this process does not have the job.
     */
    public synchronized Optional<Subscription> subscribe(long jobId, long afterId) {
        Stream stream = streams.get(jobId);
        if (stream == null) {
            return Optional.empty();
        }
        Subscription subscription = new Subscription(stream);
        for (JobEvent event : stream.history) {
            if (event.id() > afterId && !subscription.queue.offer(event)) {
                break;
            }
        }
        if (!stream.ended) {
            stream.subscribers.add(subscription);
        }
        return Optional.of(subscription);
    }

    private void forgetOldEndedJobs() {
        Iterator<Map.Entry<Long, Stream>> it = streams.entrySet().iterator();
        while (streams.size() > KEPT_JOBS && it.hasNext()) {
            if (it.next().getValue().ended) {
                it.remove();
            }
        }
    }
}
