package dev.duplex.cli.bench;

import dev.duplex.cli.ByteSize;
import dev.duplex.cli.CliContext;
import dev.duplex.cli.OutputOption;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.KvApplication;
import dev.duplex.cli.demo.ProgressLines;
import dev.duplex.engine.demo.DemoResult;
import dev.duplex.engine.demo.DemoService;
import dev.duplex.engine.demo.UpgradeDemo;
import dev.duplex.engine.config.ConfigKey;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code duplex bench upgrade}: the pair upgrade with each strategy at several database sizes,
 * on the local driver, written as a Markdown and a CSV table of single-side window and total time.
 */
@Command(name = "upgrade", description = {
    "Time the demo pair's upgrade per strategy and database size, as Markdown and CSV tables.",
    "For each, the single-side window, the switchover gap and the total time. Needs about 4x the largest size of free disk under the work folder."
}, footer = {"", "Examples:", "  duplex bench upgrade --sizes 16MiB --strategies link --out bench-results",
    "  # the issue's table: duplex bench upgrade --sizes 16MiB,256MiB,1GiB --out bench-results",
    "  # the figures for a script (keys in docs/output.md): duplex bench upgrade --sizes 16MiB --out bench-results --output json"})
public final class UpgradeBench implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--sizes", defaultValue = "16MiB,256MiB,1GiB", split = ",", description = "Database sizes (default: ${DEFAULT-VALUE}).")
    List<String> sizes;

    @Option(names = "--strategies", defaultValue = "link,copy-at-boot,snapshot-copy", split = ",",
            description = "Strategies (default: ${DEFAULT-VALUE}).")
    List<String> strategies;

    @Option(names = "--rate", defaultValue = "50", description = "Client requests per second during each upgrade (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write upgrade-bench.md and upgrade-bench.csv (default: ./duplex-bench-TIMESTAMP).")
    Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "Throw-away Duplex home for the runs (default: under $DUPLEX_HOME/bench).")
    Path work;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public UpgradeBench(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        List<Long> bytes = sizes.stream().map(ByteSize::parse).toList();
        List<UpgradeStrategy> chosen = strategies.stream().map(UpgradeStrategy::parse).toList();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path outDir = out != null ? out : Path.of("duplex-bench-" + stamp);
        requireFreshWork(work);
        Path home = work != null ? work : context.config().home().resolve("bench").resolve(stamp);
        DuplexConfig config = withHome(context.config(), home);
        // With -o json or yaml, stdout carries only the figures; progress goes to stderr.
        PrintWriter progress = output.structured() ? context.err() : context.out();
        Map<UpgradeStrategy, List<DemoResult>> results = new EnumMap<>(UpgradeStrategy.class);
        try (Services services = Services.start(config, context.registry())) {
            UpgradeDemo demo = services.get(DemoService.class).upgradeDemo(new KvApplication(), new ProgressLines(progress));
            demo.prepare(dev.duplex.cli.demo.DemoImages.locate(context.installation(), home));
            for (long size : bytes) {
                for (UpgradeStrategy strategy : chosen) {
                    progress.printf("== %s at %s%n", strategy.key(), ByteSize.format(size));
                    progress.flush();
                    DemoResult result = demo.run(strategy, size, rate, UpgradeListener.NONE);
                    results.computeIfAbsent(strategy, s -> new ArrayList<>()).add(result);
                    progress.printf("   single-side window %d ms, switchover %d ms, total %d ms, copied %s, %d/%d requests failed, db %s%n",
                            result.singleSideWindowMs(), result.switchoverGapMs(), result.totalMs(), ByteSize.format(result.bytesCopied()),
                            result.failedRequests(), result.requests(), result.dbChecksumBefore().equals(result.dbChecksumAfter()) ? "intact" : "MISMATCH");
                    progress.flush();
                    demo.discardLastRun();
                }
            }
        } finally {
            deleteTree(home);
        }
        Files.createDirectories(outDir);
        String markdown = markdown(bytes, chosen, results);
        Path markdownFile = outDir.resolve("upgrade-bench.md");
        Path csvFile = outDir.resolve("upgrade-bench.csv");
        Files.writeString(markdownFile, markdown);
        Files.writeString(csvFile, csv(bytes, chosen, results));
        context.printer().object(output, view(bytes, chosen, results, rate, markdownFile, csvFile), text -> {
            text.println();
            text.print(markdown);
            text.println("Written to " + outDir.toAbsolutePath());
        });
        return 0;
    }

    /** The figures for a script (kind "bench_upgrade" in docs/output.md): one object per size and strategy, as the tables have them. */
    static Map<String, Object> view(List<Long> sizes, List<UpgradeStrategy> strategies, Map<UpgradeStrategy, List<DemoResult>> results, int rate,
            Path markdownFile, Path csvFile) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            for (UpgradeStrategy s : strategies) {
                DemoResult r = results.get(s).get(i);
                String[] state = r.state().split(": ", 2); // the engine's record joins a job's error onto its state
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("db_size_bytes", sizes.get(i));
                run.put("strategy", s.key());
                run.put("job_id", r.job());
                run.put("state", state[0]);
                run.put("error", state.length > 1 ? state[1] : null);
                run.put("single_side_window_ms", r.singleSideWindowMs());
                run.put("switchover_gap_ms", r.switchoverGapMs() < 0 ? null : r.switchoverGapMs());
                run.put("total_ms", r.totalMs());
                run.put("bytes_copied", r.bytesCopied());
                run.put("requests", r.requests());
                run.put("failed_requests", r.failedRequests());
                run.put("db_intact", r.dbChecksumBefore().equals(r.dbChecksumAfter()));
                runs.add(run);
            }
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("requests_per_second", rate);
        view.put("markdown_file", markdownFile.toAbsolutePath());
        view.put("csv_file", csvFile.toAbsolutePath());
        view.put("runs", runs);
        return view;
    }

    private static String markdown(List<Long> sizes, List<UpgradeStrategy> strategies, Map<UpgradeStrategy, List<DemoResult>> results) {
        StringBuilder md = new StringBuilder("| database | strategy | single-side window ms | switchover gap ms | total ms | bytes copied | requests | failed | db intact |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (int i = 0; i < sizes.size(); i++) {
            for (UpgradeStrategy s : strategies) {
                DemoResult r = results.get(s).get(i);
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %s | %d | %d | %s |%n", ByteSize.format(sizes.get(i)), s.key(),
                        r.singleSideWindowMs(), r.switchoverGapMs(), r.totalMs(), ByteSize.format(r.bytesCopied()), r.requests(),
                        r.failedRequests(), r.dbChecksumBefore().equals(r.dbChecksumAfter()) ? "yes" : "NO"));
            }
        }
        return md.toString();
    }

    private static String csv(List<Long> sizes, List<UpgradeStrategy> strategies, Map<UpgradeStrategy, List<DemoResult>> results) {
        StringBuilder csv = new StringBuilder("db_bytes,strategy,single_side_window_ms,switchover_gap_ms,total_ms,bytes_copied,requests,failed_requests,db_intact,state\n");
        for (int i = 0; i < sizes.size(); i++) {
            for (UpgradeStrategy s : strategies) {
                DemoResult r = results.get(s).get(i);
                csv.append(String.join(",", Arrays.asList(Long.toString(sizes.get(i)), s.key(), Long.toString(r.singleSideWindowMs()),
                        Long.toString(r.switchoverGapMs()), Long.toString(r.totalMs()), Long.toString(r.bytesCopied()),
                        Long.toString(r.requests()), Long.toString(r.failedRequests()),
                        Boolean.toString(r.dbChecksumBefore().equals(r.dbChecksumAfter())), r.state().replace(',', ';')))).append('\n');
            }
        }
        return csv.toString();
    }

    /** The benchmark deletes its work folder afterwards: one given with --work must be new or empty. */
    static void requireFreshWork(Path work) {
        if (work == null || !Files.exists(work, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean empty;
        try (var entries = Files.list(work)) {
            empty = Files.isDirectory(work, java.nio.file.LinkOption.NOFOLLOW_LINKS) && entries.findAny().isEmpty();
        } catch (IOException e) {
            empty = false;
        }
        if (!empty) {
            throw new IllegalArgumentException("--work " + work + " exists and is not an empty folder; the benchmark deletes its work"
                    + " folder when it ends, so give a new or empty one");
        }
    }

    static DuplexConfig withHome(DuplexConfig config, Path home) {
        Map<ConfigKey, String> values = new EnumMap<>(config.values());
        Map<ConfigKey, String> sources = new EnumMap<>(config.sources());
        values.put(ConfigKey.HOME, home.toString());
        sources.put(ConfigKey.HOME, "duplex bench");
        // The benchmark always measures on its own embedded database, never the operator's.
        values.remove(ConfigKey.DB_URL);
        // Its database lives in the work folder deleted at the end: it stops with the benchmark, not after the idle time.
        values.put(ConfigKey.DB_IDLE_STOP, "PT0S");
        sources.put(ConfigKey.DB_IDLE_STOP, "duplex bench");
        return new DuplexConfig(values, sources);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the benchmark's work folder " + root + ": " + e.getMessage(), e);
        }
    }
}
