package dev.duplex.cli.bench;

import dev.duplex.cli.CliContext;
import dev.duplex.cli.OutputOption;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.DemoImages;
import dev.duplex.cli.demo.KvApplication;
import dev.duplex.cli.demo.ProgressLines;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.demo.DemoService;
import dev.duplex.engine.demo.FailoverStopwatch;
import dev.duplex.engine.demo.FailoverStopwatch.Run;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code duplex bench failover}: a failover as a user feels it, run {@code --runs} times by the
 * engine's {@link FailoverStopwatch} on the kv example in a throw-away home, and the table of its
 * figures (median and p90 of each part).
 */
@Command(name = "failover", description = {
    "Time failovers of a cold pair: kill its active, fail over, until the new active accepts a write.",
    "Kills the active of a cold kv pair (SIGKILL to its process group) and fails over, RUNS times; reports the time from the failover's start to the first write the new active accepts, split into fence, sync, start, promote and Duplex's own overhead (the rest): median and p90.",
    "Runs in-process (the engine code of 'duplex failover', without the command's JVM start)."
}, footer = {"", "Examples:", "  duplex bench failover --runs 3",
    "  # the figures for a script (keys in docs/output.md): duplex bench failover --runs 10 --output json"})
public final class FailoverBench implements Callable<Integer> {
    /** The local driver's default, when --start-settle-ms is not given. */
    private static final long DEFAULT_SETTLE_MS = 300;
    /** The goals for the median failover: to the first accepted write, and Duplex's own share of it. */
    static final long TOTAL_GOAL_MS = 1000;
    static final long OVERHEAD_GOAL_MS = 100;

    private final CliContext context;

    @Option(names = "--runs", defaultValue = "10", description = "Failovers to measure (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--start-settle-ms", description = "The local driver's start-settle-ms for the bench endpoint (default: the driver's, 300).")
    Long startSettleMs;

    @Option(names = "--env-bytes", defaultValue = "65536", description = "Size of the pushed 'settings' item (default: ${DEFAULT-VALUE}).")
    int envBytes;

    @Option(names = "--work", paramLabel = "DIR", description = "Throw-away Duplex home for the runs (default: under $DUPLEX_HOME/bench).")
    Path work;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public FailoverBench(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        if (runs < 1 || runs > 1000) {
            throw new IllegalArgumentException("--runs must be between 1 and 1000: " + runs);
        }
        if (envBytes < 1 || envBytes > (64 << 20)) {
            throw new IllegalArgumentException("--env-bytes must be between 1 and 64 MiB: " + envBytes);
        }
        if (startSettleMs != null && (startSettleMs < 0 || startSettleMs > 60_000)) {
            throw new IllegalArgumentException("--start-settle-ms must be between 0 and 60000: " + startSettleMs);
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        UpgradeBench.requireFreshWork(work);
        Path home = work != null ? work : context.config().home().resolve("bench").resolve("failover-" + stamp);
        DuplexConfig config = UpgradeBench.withHome(context.config(), home);
        // With -o json or yaml, stdout carries only the figures; each run's line goes to stderr.
        PrintWriter out = output.structured() ? context.err() : context.out();
        List<Run> results = new ArrayList<>();
        try (Services services = Services.start(config, context.registry())) {
            FailoverStopwatch stopwatch = services.get(DemoService.class).failoverStopwatch(new KvApplication(), new ProgressLines(out),
                    Optional.ofNullable(startSettleMs));
            stopwatch.prepare(DemoImages.locate(context.installation(), home));
            for (int i = 1; i <= runs; i++) {
                Run run = stopwatch.once(i, envBytes);
                results.add(run);
                out.printf(Locale.ROOT, "run %2d: first write after %7.1f ms (failover returned at %7.1f ms): fence %6.1f, sync %6.1f (%s),"
                        + " start %6.1f, promote %6.1f (health wait %6.1f), overhead %6.1f ms%n", i, ms(run.total()), ms(run.returned()),
                        ms(run.fence()), ms(run.sync()), run.syncPath(), ms(run.start()), ms(run.promote()), ms(run.healthWait()),
                        ms(run.overhead()));
                out.flush();
            }
        } finally {
            UpgradeBench.deleteTree(home);
        }
        long settleMs = startSettleMs == null ? DEFAULT_SETTLE_MS : startSettleMs;
        context.printer().object(output, view(results, settleMs, envBytes), text -> text.print(table(results, settleMs)));
        return 0;
    }

    /** The parts of a run the figures name, in the table's order, by their key in the view. */
    private static final Map<String, ToLongFunction<Run>> PARTS = parts();

    private static Map<String, ToLongFunction<Run>> parts() {
        Map<String, ToLongFunction<Run>> parts = new LinkedHashMap<>();
        parts.put("total", Run::total);
        parts.put("fence", Run::fence);
        parts.put("sync", Run::sync);
        parts.put("start", Run::start);
        parts.put("promote", Run::promote);
        parts.put("health_wait", Run::healthWait);
        parts.put("overhead", Run::overhead);
        parts.put("prepare", Run::prepare);
        parts.put("after_first_write", Run::afterFirstWrite);
        parts.put("returned", Run::returned);
        return java.util.Collections.unmodifiableMap(parts);
    }

    /**
     * The figures for a script (kind "bench_failover" in docs/output.md): median and p90 of each
     * part, the goals, and every run; whole milliseconds, rounded (the table keeps a tenth).
     */
    static Map<String, Object> view(List<Run> runs, long settleMs, int envBytes) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("runs_measured", runs.size());
        view.put("env_size_bytes", envBytes);
        view.put("start_settle_ms", settleMs);
        Map<String, Object> parts = new LinkedHashMap<>();
        PARTS.forEach((name, part) -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("median_ms", wholeMs(percentile(runs, part, 50)));
            figures.put("p90_ms", wholeMs(percentile(runs, part, 90)));
            parts.put(name, figures);
        });
        view.put("parts", parts);
        view.put("goals", List.of(goal("total", TOTAL_GOAL_MS, percentile(runs, Run::total, 50)),
                goal("overhead", OVERHEAD_GOAL_MS, percentile(runs, Run::overhead, 50))));
        List<Map<String, Object>> each = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("run", i + 1);
            PARTS.forEach((name, part) -> r.put(name + "_ms", wholeMs(part.applyAsLong(run))));
            r.put("sync_path", run.syncPath());
            each.add(r);
        }
        view.put("runs", each);
        return view;
    }

    private static Map<String, Object> goal(String part, long atMostMs, long medianNanos) {
        Map<String, Object> goal = new LinkedHashMap<>();
        goal.put("part", part);
        goal.put("at_most_ms", atMostMs);
        goal.put("median_ms", wholeMs(medianNanos));
        goal.put("met", medianNanos <= atMostMs * 1_000_000L);
        return goal;
    }

    private static long wholeMs(long nanos) {
        return Math.round(nanos / 1e6);
    }

    static String table(List<Run> runs, long settleMs) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%nFailover of a cold kv pair on the local driver, active killed (SIGKILL to its process group);"
                + " %d runs.%n", runs.size()));
        md.append("Time from the failover's start to the first write the new active accepts; each phase is its journaled\n"
                + "step's interval on the same clock, cut to that window; the overhead is the time in no phase.\n\n");
        md.append("| part | median ms | p90 ms |\n|---|---:|---:|\n");
        row(md, "total (to first accepted write)", runs, Run::total);
        row(md, "fence", runs, Run::fence);
        row(md, "sync", runs, Run::sync);
        row(md, "start (local driver's start-settle-ms = " + settleMs + " of it)", runs, Run::start);
        row(md, "promote (up to the first accepted write)", runs, Run::promote);
        row(md, "  of which the standby's service booting (health wait)", runs, Run::healthWait);
        row(md, "Duplex's own overhead (total - the four phases, >= 0)", runs, Run::overhead);
        row(md, "  claim, checks before the fence", runs, Run::prepare);
        row(md, "promote's role read-back after the first accepted write (not waited for)", runs, Run::afterFirstWrite);
        row(md, "failover call returned (records roles, audit after the write)", runs, Run::returned);
        long total = percentile(runs, Run::total, 50);
        long overhead = percentile(runs, Run::overhead, 50);
        md.append(String.format(Locale.ROOT, "%nGoals: total <= %d ms: %s (median %.1f ms); overhead <= %d ms: %s (median %.1f ms).%n",
                TOTAL_GOAL_MS, total <= TOTAL_GOAL_MS * 1_000_000L ? "met" : "NOT met", ms(total),
                OVERHEAD_GOAL_MS, overhead <= OVERHEAD_GOAL_MS * 1_000_000L ? "met" : "NOT met", ms(overhead)));
        return md.toString();
    }

    private static void row(StringBuilder md, String name, List<Run> runs, ToLongFunction<Run> part) {
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", name, ms(percentile(runs, part, 50)), ms(percentile(runs, part, 90))));
    }

    /** Nearest-rank percentile. */
    static long percentile(List<Run> runs, ToLongFunction<Run> part, int percent) {
        long[] values = runs.stream().mapToLong(part).sorted().toArray();
        int rank = (int) Math.ceil(percent / 100.0 * values.length);
        return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
