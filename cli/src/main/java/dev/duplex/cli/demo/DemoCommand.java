package dev.duplex.cli.demo;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.ByteSize;
import dev.duplex.cli.CliContext;
import dev.duplex.cli.upgrade.ProgressPrinter;
import dev.duplex.engine.demo.DemoResult;
import dev.duplex.engine.demo.DemoService;
import dev.duplex.engine.demo.UpgradeDemo;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code duplex demo}: the zero-copy upgrade, end to end, on this machine. */
@Command(name = "demo", description = {
    "Upgrade a live ACT/SBY pair from v1 to v2 on this machine and measure it, for each strategy.",
    "",
    "On the embedded local driver and database, it creates a pair of a small replicated key-value",
    "service (VMs are processes, volumes are folders, a link is a symlink), fills each member's",
    "database volume, drives a client load through the pair's service address for the whole",
    "upgrade (a failed request is retried after 500 ms, like a SIP client), upgrades the pair, and",
    "prints per strategy: the single-side window, the switchover gap, requests sent and failed after",
    "retry, and the database checksums before and after (they must match)."
}, footer = {"", "Examples:", "  duplex demo --db-size 16MiB --strategy link",
    "  # every strategy on a 1 GiB database, for a script (keys in docs/output.md): duplex demo --db-size 1GiB --strategy all --output json"})
public final class DemoCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--db-size", defaultValue = "64MiB", converter = ByteSize.class, paramLabel = "SIZE",
            description = "Size of each member's database (default: ${DEFAULT-VALUE}).")
    long dbSize;

    @Option(names = "--strategy", defaultValue = "all", description = "link, copy-at-boot, snapshot-copy or all (default: ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--rate", defaultValue = "50", description = "Client requests per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<UpgradeStrategy> strategies = strategy.toLowerCase(Locale.ROOT).equals("all")
                ? List.of(UpgradeStrategy.values())
                : List.of(UpgradeStrategy.parse(strategy));
        if (rate < 1 || rate > 2000) {
            throw new IllegalArgumentException("--rate is between 1 and 2000 requests per second, not " + rate);
        }
        // With -o json or yaml, stdout carries only the report; progress goes to stderr.
        PrintWriter progress = output.structured() ? context.err() : context.out();
        UpgradeDemo demo = context.services().get(DemoService.class).upgradeDemo(new KvApplication(), new ProgressLines(progress));
        demo.prepare(DemoImages.locate(context.installation(), context.config().home()));
        List<DemoResult> results = new ArrayList<>();
        for (UpgradeStrategy s : strategies) {
            progress.printf("%n== strategy %s, database %s per member%n", s.key(), ByteSize.format(dbSize));
            progress.flush();
            UpgradeListener listener = new ProgressPrinter(progress, !output.structured() && System.console() != null);
            results.add(demo.run(s, dbSize, rate, listener));
        }
        boolean intact = results.stream().allMatch(DemoResult::intact);
        context.printer().object(output, view(dbSize, rate, results, intact), out -> print(results, out));
        return intact ? 0 : 1;
    }

    /** The demo's report as docs/output.md describes it (kind "demo_report"). */
    static Map<String, Object> view(long dbSize, int rate, List<DemoResult> results, boolean intact) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("db_size_bytes", dbSize);
        view.put("requests_per_second", rate);
        view.put("strategies", results.stream().map(DemoCommand::view).toList());
        view.put("intact", intact);
        return view;
    }

    /**
     * One strategy's figures. The engine's record joins a job's error onto its state and the members'
     * differing checksums with " / ", and marks a missing switchover as -1: split and null here, as
     * docs/output.md types them.
     */
    private static Map<String, Object> view(DemoResult r) {
        String[] state = r.state().split(": ", 2);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("strategy", r.strategy());
        view.put("job_id", r.job());
        view.put("state", state[0]);
        view.put("error", state.length > 1 ? state[1] : null);
        view.put("single_side_window_ms", r.singleSideWindowMs());
        view.put("switchover_gap_ms", r.switchoverGapMs() < 0 ? null : r.switchoverGapMs());
        view.put("switchover_client_gap_ms", r.switchoverClientGapMs());
        view.put("longest_client_gap_ms", r.longestClientGapMs());
        view.put("requests", r.requests());
        view.put("failed_requests", r.failedRequests());
        view.put("retries", r.retries());
        view.put("bytes_copied", r.bytesCopied());
        view.put("total_ms", r.totalMs());
        view.put("db_checksum_before", r.dbChecksumBefore());
        view.put("db_checksums_after", List.of(r.dbChecksumAfter().split(" / ")));
        view.put("db_intact", r.dbChecksumBefore().equals(r.dbChecksumAfter()));
        return view;
    }

    private static void print(List<DemoResult> results, PrintWriter out) {
        out.println();
        out.printf("%-14s %14s %13s %13s %9s %7s %8s %12s %-14s %s%n", "STRATEGY", "SINGLE-SIDE ms", "SWITCHOVER ms", "CLIENT GAP ms",
                "REQUESTS", "FAILED", "COPIED", "TOTAL ms", "DB CHECKSUM", "");
        for (DemoResult r : results) {
            String checksum = r.dbChecksumBefore().substring(0, 12);
            String verdict = r.dbChecksumBefore().equals(r.dbChecksumAfter()) ? "before = after" : "MISMATCH: after " + r.dbChecksumAfter();
            out.printf("%-14s %14d %13d %13d %9d %7d %8s %12d %-14s %s%n", r.strategy(), r.singleSideWindowMs(), r.switchoverGapMs(),
                    r.switchoverClientGapMs(), r.requests(), r.failedRequests(), ByteSize.format(r.bytesCopied()), r.totalMs(), checksum, verdict);
            if (!r.state().equals("SUCCEEDED")) {
                out.println("  job " + r.job() + ": " + r.state());
            }
        }
        out.flush();
    }
}
