package dev.duplex.bench.fleet;

import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Counts the statements the fleet makes, by their SQL text, with their total time: the "which
 * calls per step, and why" of issue 15 item 4, asked of the run itself rather than of a log.
 */
final class FleetSimulationStatements implements SqlLogger {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> micros = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    @Override
    public void logAfterExecution(StatementContext context) {
        String sql = shape(context.getRenderedSql());
        counts.computeIfAbsent(sql, s -> new LongAdder()).increment();
        micros.computeIfAbsent(sql, s -> new LongAdder()).add(context.getElapsedTime(ChronoUnit.MICROS));
        total.increment();
    }

    long total() {
        return total.sum();
    }

    void reset() {
        counts.clear();
        micros.clear();
        total.reset();
    }

    /** The statements by count, each with its count per pair and mean time. */
    void print(int pairs) {
        System.out.printf(Locale.ROOT, "database calls: %d in all, %.1f per pair%n", total(), total() / (double) pairs);
        counts.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, LongAdder> e) -> e.getValue().sum()).reversed())
                .forEach(e -> System.out.printf(Locale.ROOT, "  %6.2f/pair %7.2f ms  %s%n", e.getValue().sum() / (double) pairs,
                        micros.get(e.getKey()).sum() / 1000.0 / e.getValue().sum(), e.getKey()));
    }

    private static String shape(String sql) {
        String line = sql == null ? "" : sql.replaceAll("\\s+", " ").strip();
        return line.length() > 150 ? line.substring(0, 150) + "..." : line;
    }
}
