package dev.duplex.bench.fleet;

import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.Jdbi;

/**
 * What the run's active database sessions wait on, sampled from {@code pg_stat_activity} every
 * 50 ms: whether inventory writers queue on a row lock (the inventory-version counter, V10) or
 * commits on the WAL, asked of the run itself (issue 15 item 4). One pooled connection samples.
 */
final class FleetSimulationWaits implements AutoCloseable {
    private final Map<String, LongAdder> waits = new ConcurrentHashMap<>();
    private final AtomicInteger samples = new AtomicInteger();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fleet-simulation-waits");
        thread.setDaemon(true);
        return thread;
    });

    FleetSimulationWaits(Jdbi jdbi) {
        sampler.scheduleWithFixedDelay(() -> sample(jdbi), 50, 50, TimeUnit.MILLISECONDS);
    }

    private void sample(Jdbi jdbi) {
        try {
            jdbi.useHandle(h -> h.createQuery("""
                            SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') || '  ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 70)
                            FROM pg_stat_activity
                            WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()""")
                    .mapTo(String.class).forEach(w -> waits.computeIfAbsent(w, k -> new LongAdder()).increment()));
            samples.incrementAndGet();
        } catch (RuntimeException e) {
            // a sample lost to a busy pool says nothing about the sessions: skip it
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }

    /** The most frequent (wait, statement) pairs, each with the mean number of sessions in it per sample. */
    void print() {
        int n = Math.max(1, samples.get());
        System.out.printf(Locale.ROOT, "active sessions by wait (%d samples, mean sessions per sample):%n", samples.get());
        waits.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, LongAdder> e) -> e.getValue().sum()).reversed())
                .limit(12).forEach(e -> System.out.printf(Locale.ROOT, "  %6.2f  %s%n", e.getValue().sum() / (double) n, e.getKey()));
    }
}
