package dev.duplex.cli.bench;

import dev.duplex.cli.CliContext;
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
import java.util.List;
import java.util.Locale;
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
}, footer = {"", "Examples:", "  duplex bench failover --runs 3"})
public final class FailoverBench implements Callable<Integer> {
    /** The local driver's default, when --start-settle-ms is not given. */
    private static final long DEFAULT_SETTLE_MS = 300;

    private final CliContext context;

    @Option(names = "--runs", defaultValue = "10", description = "Failovers to measure (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--start-settle-ms", description = "The local driver's start-settle-ms for the bench endpoint (default: the driver's, 300).")
    Long startSettleMs;

    @Option(names = "--env-bytes", defaultValue = "65536", description = "Size of the pushed 'settings' item (default: ${DEFAULT-VALUE}).")
    int envBytes;

    @Option(names = "--work", paramLabel = "DIR", description = "Throw-away Duplex home for the runs (default: under $DUPLEX_HOME/bench).")
    Path work;

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
        PrintWriter out = context.out();
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
        out.print(table(results, startSettleMs == null ? DEFAULT_SETTLE_MS : startSettleMs));
        out.flush();
        return 0;
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
        md.append(String.format(Locale.ROOT, "%nGoals: total <= 1000 ms: %s (median %.1f ms); overhead <= 100 ms: %s (median %.1f ms).%n",
                total <= 1_000_000_000L ? "met" : "NOT met", ms(total), overhead <= 100_000_000L ? "met" : "NOT met", ms(overhead)));
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
