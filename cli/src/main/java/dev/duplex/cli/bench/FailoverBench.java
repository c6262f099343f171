package dev.duplex.cli.bench;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.cli.CliContext;
import dev.duplex.cli.Services;
import dev.duplex.cli.demo.DemoImages;
import dev.duplex.cli.demo.MemberProbe;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.audit.OperatingSystemUser;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.failover.EndpointDrivers;
import dev.duplex.engine.failover.EnvironmentPush;
import dev.duplex.engine.failover.Failover;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.example.kv.MiniHttp;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code duplex bench failover}: a failover as a user feels it. Each run makes a cold pair of the
 * demo's kv service on the local driver (as the README's {@code kvc} walk-through does: the active
 * running, its environment info pushed, the standby off), kills the active's whole process group
 * with SIGKILL, then runs the same engine code as {@code duplex failover} while a client writes to
 * the standby's port every 2 ms. The time is from the failover's call to the first write the new
 * active accepts, split into the failover's phases as the engine journals them
 * ({@link StepTimedJobs}, one clock, each phase cut to that window by {@link FailoverSplit});
 * what lies in no phase is Duplex's own overhead.
 */
@Command(name = "failover", description = {
    "Time failovers of a cold pair: kill its active, fail over, until the new active accepts a write.",
    "Kills the active of a cold kv pair (SIGKILL to its process group) and fails over, RUNS times; reports the time from the failover's start to the first write the new active accepts, split into fence, sync, start, promote and Duplex's own overhead (the rest): median and p90.",
    "Runs in-process (the engine code of 'duplex failover', without the command's JVM start)."
}, footer = {"", "Examples:", "  duplex bench failover --runs 3"})
public final class FailoverBench implements Callable<Integer> {
    private static final String ENDPOINT = "bench";
    private static final String IMAGE = "kv-bench";
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

    private final SecureRandom random = new SecureRandom();

    public FailoverBench(CliContext context) {
        this.context = context;
    }

    /** One run's figures, in nanoseconds: the split of the wait, and what the engine's report adds. */
    record Run(FailoverSplit split, long returned, long healthWait, String syncPath) {
        long total() {
            return split.total();
        }

        long fence() {
            return split.fence();
        }

        long sync() {
            return split.sync();
        }

        long start() {
            return split.start();
        }

        long promote() {
            return split.promote();
        }

        long prepare() {
            return split.prepare();
        }

        long afterFirstWrite() {
            return split.afterFirstWrite();
        }

        long overhead() {
            return split.overhead();
        }
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
            prepare(services, DemoImages.locate(context.installation(), home));
            for (int i = 1; i <= runs; i++) {
                Run run = once(services, i);
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

    private void prepare(Services services, Path images) {
        Inventory inventory = services.inventory();
        Map<String, String> properties = startSettleMs == null ? Map.of() : Map.of("start-settle-ms", Long.toString(startSettleMs));
        inventory.addEndpoint(new Endpoint(ENDPOINT, "local", "local:", Optional.empty(), properties));
        HypervisorDriver driver = services.connections().driver(ENDPOINT);
        ImageRef ref = driver.registerImage(new ImageSpec(IMAGE + "-" + System.currentTimeMillis(), "v2",
                images.resolve("v2").toString(), Map.of()));
        inventory.addImage(new ImageRecord(IMAGE, ENDPOINT, "v2", ref.id()));
    }

    private Run once(Services services, int index) throws IOException {
        Inventory inventory = services.inventory();
        HypervisorDriver driver = services.connections().driver(ENDPOINT);
        String base = "fo" + index + "-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> members = List.of(base + "-0", base + "-1");
        int[] ports = {freePort(), freePort()};
        String token = token();
        ImageRecord image = inventory.image(IMAGE).orElseThrow();
        List<VmRef> refs = new ArrayList<>();
        for (int system = 0; system < 2; system++) {
            String volume = base + "-db" + system;
            VolumeRef volumeRef = driver.createVolume(new VolumeSpec(volume, 16 << 20, "database", Map.of()));
            inventory.addVolume(new VolumeRecord(volume, ENDPOINT, volumeRef.id(), 16 << 20, "database"));
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("env.KV_PORT", Integer.toString(ports[system]));
            properties.put("env.ROLE_TOKEN", token);
            if (system == 0) {
                properties.put("env.KV_ROLE", "ACT");
            }
            VmRef ref = driver.createVm(new VmSpec(members.get(system), new ImageRef(image.driverRef(), image.name()),
                    List.of(new VolumeLink(volumeRef, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
            inventory.addVm(new VmRecord(members.get(system), ENDPOINT, ref.id(), image.name(),
                    List.of(new LinkRecord(volume, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
            refs.add(ref);
        }
        Map<String, String> roleController = new LinkedHashMap<>();
        roleController.put("type", "http");
        for (int system = 0; system < 2; system++) {
            roleController.put("member." + members.get(system) + ".port", Integer.toString(ports[system]));
        }
        inventory.addPair(new PairRecord(base, members.get(0), members.get(1), 0, StandbyKind.COLD, roleController, Map.of()));
        try {
            driver.start(refs.get(0));
            new MemberProbe().awaitHealthy(members.get(0), ports[0], Duration.ofSeconds(60));
            byte[] settings = new byte[envBytes];
            random.nextBytes(settings);
            EndpointDrivers drivers = EndpointDrivers.of(services.connections());
            EnvironmentArchive archive = services.get(EnvironmentArchive.class);
            new EnvironmentPush(inventory, archive, drivers).push(base, new EnvironmentSnapshot(7, List.of(
                    new EnvironmentItem("settings", settings),
                    new EnvironmentItem("configuration", ("port=" + ports[0] + "\nrole=active\n").getBytes(StandardCharsets.UTF_8)))));

            killProcessGroup(refs.get(0).id(), members.get(0));

            // The engine's own clock (System.nanoTime) times the steps and the client alike.
            var timedJobs = new StepTimedJobs(services.get(JobQueue.class), System::nanoTime);
            Failover failover = new Failover(inventory, archive, timedJobs, services.get(AuditLog.class), drivers,
                    services.get(RoleControllers.class), OperatingSystemUser.current());
            long started = System.nanoTime();
            CompletableFuture<Long> firstWrite = CompletableFuture.supplyAsync(() -> firstAcceptedWrite(ports[1], started));
            FailoverReport report = failover.failover(base, false, OperatingSystemUser.current());
            long returned = System.nanoTime() - started;
            FailoverSplit split = FailoverSplit.of(started, firstWrite.get(30, TimeUnit.SECONDS), timedJobs.intervals());
            return new Run(split, returned, report.overhead().healthWait().toNanos(),
                    report.sync().performed().name().toLowerCase(Locale.ROOT));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Run " + index + ": the new active " + members.get(1) + " on port " + ports[1]
                    + " accepted no write within 30 s of the failover: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            for (VmRef ref : refs) {
                try {
                    driver.stop(ref, StopMode.FORCE);
                } catch (RuntimeException e) {
                    context.out().println("  (stopping " + ref.name() + " failed: " + e.getMessage() + ")");
                }
            }
        }
    }

    /** PUTs to the standby's port every 2 ms until one is accepted; returns when (System.nanoTime). */
    private static long firstAcceptedWrite(int port, long started) {
        byte[] value = "written right after the failover".getBytes(StandardCharsets.UTF_8);
        long deadline = started + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                MiniHttp.Response response = MiniHttp.send("127.0.0.1", port, "PUT", "/kv/first-write", value, 500);
                if (response.status() == 200) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not listening yet, or not ACT yet: try again
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("no write accepted on port " + port);
    }

    /**
     * Kills every process of the VM (SIGKILL to its process group), as a crash of its host would,
     * and waits until they are gone. The local driver gives a VM's processes {@code DUPLEX_VM_ID}.
     */
    private static void killProcessGroup(String vmId, String name) throws IOException {
        List<Long> pids = vmProcesses(vmId);
        if (pids.isEmpty()) {
            throw new IllegalStateException("No process of VM " + name + " (id " + vmId + ") found in /proc; is it running?");
        }
        Map<Long, Long> groups = new LinkedHashMap<>();
        for (long pid : pids) {
            processGroup(pid).ifPresent(group -> groups.put(group, group));
        }
        for (long group : groups.keySet()) {
            try {
                Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + group).redirectErrorStream(true).start();
                kill.getInputStream().readAllBytes();
                kill.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!vmProcesses(vmId).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("VM " + name + "'s processes " + vmProcesses(vmId) + " outlived SIGKILL by 10 s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Live (not zombie) processes whose environment holds {@code DUPLEX_VM_ID=vmId}. */
    private static List<Long> vmProcesses(String vmId) throws IOException {
        byte[] marker = ("DUPLEX_VM_ID=" + vmId + "\0").getBytes(StandardCharsets.UTF_8);
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    if (state != 'Z' && contains(Files.readAllBytes(entry.resolve("environ")), marker)) {
                        pids.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked, or is not ours to read
                }
            }
        }
        return pids;
    }

    private static Optional<Long> processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[2])); // state, ppid, pgrp
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue; // only at the start of a variable
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
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

    private String token() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port for the benchmark: " + e.getMessage(), e);
        }
    }
}
