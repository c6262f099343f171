package dev.duplex.bench.fleet;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Issue 15 item 5, a real fleet on this machine: {@link RealFleetBench} with options, printing its
 * progress, its report and the row of the "Real fleet" table in docs/benchmarks.md. Exits 0 when
 * everything held (every pair upgraded, no request failed after retry, no write lost, every
 * checksum equal), 1 when not, 2 for bad options.
 *
 * <pre>
 * java -cp bench/target/duplex-bench.jar dev.duplex.bench.fleet.RealFleet [--pairs 50] [--in-flight 10] [--canary IN_FLIGHT]
 *     [--records 200] [--rate 2] [--work DIR] [--python /usr/bin/python3] [--late-answer-ms 0]
 * </pre>
 */
public final class RealFleet {
    private static final Set<String> OPTIONS = Set.of("pairs", "in-flight", "canary", "records", "rate", "work", "python",
            "late-answer-ms");
    private static final String USAGE = "usage: RealFleet [--pairs 50] [--in-flight 10] [--canary N (default: the in-flight)] [--records 200]"
            + " [--rate OPS_PER_SECOND_AND_PAIR (default 2)] [--work NEW_DIR] [--python PYTHON3]"
            + " [--late-answer-ms MS (members answer a takeover this late; over 5000 every switchover call times out)]";

    private RealFleet() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "real-fleet-logback.xml"); // warnings only, before the first logger
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        RealFleetBench.Settings settings;
        try {
            settings = settings(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        out.printf("real fleet: %d pairs of the light application on the local driver, max-in-flight %d, canary %d, %d records a pair,"
                + " %.1f client operations/s a pair, work folder %s, %s%n", settings.pairs(), settings.inFlight(), settings.canary(),
                settings.records(), settings.rate(), settings.work(), settings.python());
        RealFleetResult result = new RealFleetBench(settings, out).run();
        out.println();
        out.print(result.report());
        out.println();
        out.println(RealFleetResult.markdownHeader());
        out.println(result.markdownRow());
        out.flush();
        System.exit(result.clean() ? 0 : 1);
    }

    static RealFleetBench.Settings settings(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            if (options.put(name, args[++i]) != null) {
                throw new IllegalArgumentException("option --" + name + " is given twice");
            }
        }
        int inFlight = number(options, "in-flight", "10");
        Path python = options.containsKey("python") ? Path.of(options.get("python"))
                : RealFleetImages.findPython().orElseThrow(() -> new IllegalArgumentException(
                        "no python3 on this machine (looked for /usr/bin/python3 and on the PATH); install it or give --python"));
        if (!Files.isExecutable(python)) {
            throw new IllegalArgumentException("--python " + python + " is not an executable file");
        }
        Path work;
        try {
            work = options.containsKey("work") ? Path.of(options.get("work")) : Files.createTempDirectory("duplex-real-fleet");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot make a work folder: " + e.getMessage(), e);
        }
        double rate;
        try {
            rate = Double.parseDouble(options.getOrDefault("rate", "2"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate is a number of operations per second, not '" + options.get("rate") + "'");
        }
        return new RealFleetBench.Settings(number(options, "pairs", "50"), inFlight, number(options, "canary", Integer.toString(inFlight)),
                number(options, "records", "200"), rate, work, python, number(options, "late-answer-ms", "0"));
    }

    private static int number(Map<String, String> options, String name, String fallback) {
        String value = options.getOrDefault(name, fallback);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " is a whole number, not '" + value + "'");
        }
    }
}
