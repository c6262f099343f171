package dev.duplex.bench.fleet;

import dev.duplex.api.ImageRef;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.fleet.FleetJobReport;
import dev.duplex.engine.fleet.FleetListener;
import dev.duplex.engine.fleet.FleetRequest;
import dev.duplex.engine.fleet.FleetSelection;
import dev.duplex.engine.fleet.PairOutcome;
import dev.duplex.engine.fleet.Wave;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.service.FleetService;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import dev.duplex.persistence.Database;
import dev.duplex.persistence.DatabaseConfig;
import dev.duplex.persistence.JdbiAuditLog;
import dev.duplex.persistence.JdbiInventory;
import dev.duplex.persistence.JdbiJobQueue;
import dev.duplex.persistence.JdbiPairLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 15 item 4: a fleet upgrade at scale with the real engine, the real job queue and journal on
 * an embedded PostgreSQL, and a simulated platform whose operations take configured times.
 * Reports the engine's own time per step (wall minus simulated), job-claim throughput, database
 * transactions per second, and the total against the ideal {@code ceil(pairs / in-flight) × pair time}.
 *
 * <pre>
 * java -cp bench/target/duplex-bench.jar dev.duplex.bench.fleet.FleetSimulation [--pairs 10000] [--in-flight 200]
 *     [--stop-ms 200] [--create-ms 100] [--start-ms 500] [--delete-ms 50] [--switchover-ms 100] [--work DIR]
 *     [--pool-size N] [--count-statements true] [--wait-events true]
 * </pre>
 *
 * <p>The fleet sizes the connection pool for its in-flight pairs as {@code duplex upgrade fleet}
 * does; {@code --pool-size N} pins it instead, to see what a smaller pool costs. {@code --count-statements true}
 * counts the run's database calls by their SQL text (per pair, with their mean time); {@code --wait-events true}
 * samples what the database's active sessions wait on.
 */
public final class FleetSimulation {
    private FleetSimulation() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "fleet-simulation-logback.xml"); // warnings only, before the first logger
        }
        Map<String, String> options = options(args);
        int pairs = Integer.parseInt(options.getOrDefault("pairs", "10000"));
        int inFlight = Integer.parseInt(options.getOrDefault("in-flight", "200"));
        Duration stop = Duration.ofMillis(Long.parseLong(options.getOrDefault("stop-ms", "200")));
        Duration create = Duration.ofMillis(Long.parseLong(options.getOrDefault("create-ms", "100")));
        Duration start = Duration.ofMillis(Long.parseLong(options.getOrDefault("start-ms", "500")));
        Duration delete = Duration.ofMillis(Long.parseLong(options.getOrDefault("delete-ms", "50")));
        Duration switchover = Duration.ofMillis(Long.parseLong(options.getOrDefault("switchover-ms", "100")));
        Optional<Integer> pinnedPool = Optional.ofNullable(options.get("pool-size")).map(Integer::parseInt);
        Path work = options.containsKey("work") ? Path.of(options.get("work")) : Files.createTempDirectory("duplex-fleet-sim");

        SimulatedPlatform.SimulatedTime time = new SimulatedPlatform.SimulatedTime();
        SimulatedPlatform platform = new SimulatedPlatform(stop, create, start, delete, time);
        SimulatedApplication application = new SimulatedApplication(switchover, time);
        Duration pairTime = platform.perMember().multipliedBy(2).plus(switchover);
        System.out.printf(Locale.ROOT, "fleet simulation: %d pairs, max-in-flight %d, simulated pair time %d ms, work folder %s%n",
                pairs, inFlight, pairTime.toMillis(), work);

        DatabaseConfig databaseConfig = DatabaseConfig.embedded(work.resolve("home"));
        try (Database database = Database.start(pinnedPool.map(databaseConfig::withPoolSize).orElse(databaseConfig))) {
            FleetSimulationStatements statements = new FleetSimulationStatements();
            boolean countStatements = Boolean.parseBoolean(options.getOrDefault("count-statements", "false"));
            if (countStatements) {
                database.jdbi().setSqlLogger(statements);
            }
            JdbiInventory inventory = new JdbiInventory(database.jdbi());
            JdbiJobQueue jobs = new JdbiJobQueue(database.jdbi());
            long setupStart = System.nanoTime();
            List<String> names = populate(database, platform, pairs);
            System.out.printf(Locale.ROOT, "inventory: %d pairs written in %.1f s%n", names.size(), seconds(System.nanoTime() - setupStart));

            UpgradeSettings settings = UpgradeSettings.defaults().withNode("sim-node")
                    .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(10));
            RollingUpgrade engine = new RollingUpgrade(inventory, jobs, new JdbiAuditLog(database.jdbi()), endpoint -> platform,
                    pair -> application, settings);
            FleetService fleets = new FleetService(inventory, new JdbiPairLabels(database.jdbi()), jobs, jobs,
                    new AuditTrail(new JdbiAuditLog(database.jdbi())), engine,
                    pinnedPool.isPresent() ? wanted -> database.poolSize() : database::ensureConnections);
            FleetRequest request = new FleetRequest(FleetSelection.all(), "v2", UpgradeStrategy.LINK, inFlight, inFlight, 0, "sim@bench");

            statements.reset();
            FleetSimulationCpu cpu = FleetSimulationCpu.of(work.resolve("home"));
            long[] cpuBefore = cpu.nanos();
            long[] before = transactions(database);
            AtomicInteger ended = new AtomicInteger();
            Optional<FleetSimulationWaits> waits = Boolean.parseBoolean(options.getOrDefault("wait-events", "false"))
                    ? Optional.of(new FleetSimulationWaits(database.jdbi())) : Optional.empty();
            long runStart = System.nanoTime();
            FleetJobReport report = fleets.run(request, new Actor("sim@bench"), new FleetListener() {
                @Override
                public void waveStarted(Wave wave) {
                    if (wave.number() % 10 == 1) {
                        System.out.printf(Locale.ROOT, "  wave %d started at %.1f s (%d pairs done)%n", wave.number(),
                                seconds(System.nanoTime() - runStart), ended.get());
                    }
                }

                @Override
                public void pairEnded(PairOutcome outcome) {
                    ended.incrementAndGet();
                }
            });
            long wall = System.nanoTime() - runStart;
            waits.ifPresent(FleetSimulationWaits::close);
            System.out.printf(Locale.ROOT, "connection pool: %d (%s), server max_connections %s%n", database.poolSize(),
                    pinnedPool.isPresent() ? "pinned by --pool-size" : "sized by the fleet for its in-flight pairs",
                    database.jdbi().withHandle(h -> h.createQuery("SHOW max_connections").mapTo(String.class).one()));
            long[] after = transactions(database);
            long[] cpuAfter = cpu.nanos();
            long callsInRun = statements.total();
            if (countStatements) {
                statements.print(pairs); // the run's calls only: the figures below read the journals again
            }
            waits.ifPresent(FleetSimulationWaits::print);
            printScans(database);

            long steps = 0;
            long overheadNanos = 0;
            for (PairOutcome outcome : report.run().outcomes()) {
                long pairSteps = outcome.jobId().map(id -> jobs.journal(id).stream().filter(StepRecord::isStep).count()).orElse(0L);
                steps += pairSteps;
                overheadNanos += outcome.elapsed().toNanos() - time.of(outcome.pair()).toNanos();
            }
            int waves = (pairs + inFlight - 1) / inFlight;
            double ideal = waves * pairTime.toMillis() / 1000.0;
            System.out.printf(Locale.ROOT, "result: fleet job #%d %s, %d of %d pairs succeeded%n", report.jobId(), report.state(),
                    report.run().outcomes().stream().filter(PairOutcome::succeeded).count(), pairs);
            System.out.printf(Locale.ROOT, "total %.1f s, ideal %d waves x %.3f s = %.1f s, ratio %.3f (goal <= 1.1)%n", seconds(wall), waves,
                    pairTime.toMillis() / 1000.0, ideal, seconds(wall) / ideal);
            System.out.printf(Locale.ROOT, "engine overhead per step: %.2f ms (wall - simulated, over %d steps; goal <= 5 ms)%n",
                    steps == 0 ? 0 : overheadNanos / 1e6 / steps, steps);
            System.out.printf(Locale.ROOT, "CPU per step: engine JVM %.2f ms, PostgreSQL %s (%.1f s and %s of CPU over the run; load average %s)%n",
                    steps == 0 ? 0 : (cpuAfter[0] - cpuBefore[0]) / 1e6 / steps,
                    cpuAfter[1] < 0 || steps == 0 ? "unknown" : String.format(Locale.ROOT, "%.2f ms", (cpuAfter[1] - cpuBefore[1]) / 1e6 / steps),
                    (cpuAfter[0] - cpuBefore[0]) / 1e9, cpuAfter[1] < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f s", (cpuAfter[1] - cpuBefore[1]) / 1e9),
                    loadAverage());
            System.out.printf(Locale.ROOT, "database: %.0f transactions/s, %.0f rows written/s, %.0f rows read/s during the run%n",
                    (after[0] - before[0]) / seconds(wall), (after[1] - before[1]) / seconds(wall), (after[2] - before[2]) / seconds(wall));
            System.out.printf(Locale.ROOT, "per pair: %.1f transactions%s%n", (after[0] - before[0]) / (double) pairs,
                    countStatements ? String.format(Locale.ROOT, ", %.1f database calls", callsInRun / (double) pairs) : "");
            claimThroughput(jobs, names, Math.min(names.size(), 2000), Math.min(inFlight, 16));
        }
    }

    /** Pending jobs claimed (and ended) as fast as {@code threads} claimers can: the queue's own throughput. */
    private static void claimThroughput(JdbiJobQueue jobs, List<String> pairs, int count, int threads) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            jobs.create("claim-probe", pairs.get(i), "sim@bench", Map.of());
        }
        AtomicInteger claimed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            String node = "claimer-" + t;
            pool.submit(() -> {
                Optional<Job> job;
                while ((job = jobs.claim(node, Duration.ofHours(1))).isPresent()) {
                    jobs.finish(job.get().id(), JobState.SUCCEEDED, Optional.empty());
                    claimed.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        double took = seconds(System.nanoTime() - start);
        System.out.printf(Locale.ROOT, "job claims: %d claimed and ended by %d claimers in %.2f s = %.0f claims/s%n", claimed.get(), threads,
                took, claimed.get() / took);
    }

    /**
     * The inventory of {@code pairs} pairs, written in one transaction of batched inserts: the
     * setup is not what is measured, and one insert per object would take minutes at 10,000 pairs.
     */
    private static List<String> populate(Database database, SimulatedPlatform platform, int pairs) {
        ImageRef v1 = platform.addImage("v1", "1.0");
        ImageRef v2 = platform.addImage("v2", "2.0");
        List<String> names = new ArrayList<>();
        database.jdbi().useTransaction(h -> {
            h.execute("INSERT INTO endpoints (name, driver_kind, uri) VALUES ('sim', 'simulated', 'sim:///')");
            h.execute("INSERT INTO images (name, endpoint, software_version, driver_ref) VALUES ('v1', 'sim', '1.0', ?), ('v2', 'sim', '2.0', ?)",
                    v1.id(), v2.id());
            var volumes = h.prepareBatch("INSERT INTO volumes (name, endpoint, driver_ref, size_bytes, purpose) VALUES (?, 'sim', ?, 1048576, 'database')");
            var vms = h.prepareBatch("INSERT INTO vms (name, endpoint, driver_ref, image) VALUES (?, 'sim', ?, 'v1')");
            var links = h.prepareBatch("INSERT INTO vm_links (vm, volume, mount_path, mode, position) VALUES (?, ?, 'data', 'MOUNT_AT_BOOT', 0)");
            var pairRows = h.prepareBatch("INSERT INTO pairs (name, standby_kind, role_controller, resync_gate) VALUES (?, 'HOT',"
                    + " '{\"type\":\"simulated\"}'::jsonb, '{\"timeout-ms\":\"30000\",\"poll-ms\":\"10\"}'::jsonb)");
            var members = h.prepareBatch("INSERT INTO pair_members (pair, system, vm) VALUES (?, ?, ?)");
            for (int i = 0; i < pairs; i++) {
                String pair = String.format(Locale.ROOT, "p%05d", i);
                pairRows.add(pair);
                for (int system = 0; system < 2; system++) {
                    String member = pair + "-" + system;
                    VolumeRef volume = platform.createVolume(new VolumeSpec(member + "-db", 1 << 20, "database", Map.of()));
                    var vm = platform.addRunningVm(member, v1, List.of(new VolumeLink(volume, "data", VolumeLink.Mode.MOUNT_AT_BOOT)));
                    volumes.add(member + "-db", volume.id());
                    vms.add(member, vm.id());
                    links.add(member, member + "-db");
                    members.add(pair, (short) system, member);
                }
                names.add(pair);
            }
            volumes.execute();
            vms.execute();
            links.execute();
            pairRows.execute();
            members.execute();
        });
        return names;
    }

    /** Where the database read its rows: a table scanned whole per query shows here long before it shows in a query's time. */
    private static void printScans(Database database) {
        System.out.println("tables by rows read (sequential scans, rows they read, index scans, rows fetched by index):");
        database.jdbi().useHandle(h -> h.createQuery("""
                        SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan, coalesce(idx_tup_fetch, 0) AS idx_tup_fetch
                        FROM pg_stat_user_tables ORDER BY seq_tup_read + coalesce(idx_tup_fetch, 0) DESC LIMIT 8""")
                .map((rs, ctx) -> String.format(Locale.ROOT, "  %-16s %10d %12d %10d %12d", rs.getString(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getLong(5)))
                .forEach(System.out::println));
    }

    /** Transactions, rows written and rows read in this database so far. */
    private static long[] transactions(Database database) {
        return database.jdbi().withHandle(h -> h.createQuery("""
                        SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted, tup_returned + tup_fetched
                        FROM pg_stat_database WHERE datname = current_database()""")
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip().replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: FleetSimulation [--pairs N] [--in-flight M] [--stop-ms MS] [--create-ms MS]"
                        + " [--start-ms MS] [--delete-ms MS] [--switchover-ms MS] [--work DIR] [--pool-size N] [--count-statements true]; not '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
