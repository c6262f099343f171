package dev.duplex.bench.fleet;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.duplex.api.VolumeLink;
import dev.duplex.engine.EngineModule;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.fleet.FleetJobReport;
import dev.duplex.engine.fleet.FleetListener;
import dev.duplex.engine.fleet.FleetRequest;
import dev.duplex.engine.fleet.FleetSelection;
import dev.duplex.engine.fleet.PairOutcome;
import dev.duplex.engine.fleet.Wave;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.EndpointService;
import dev.duplex.engine.service.FleetService;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.RegisterImage;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VolumeService;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import dev.duplex.persistence.Database;
import dev.duplex.persistence.DatabaseConfig;
import dev.duplex.persistence.PersistenceModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 15 item 5: a real fleet on this machine. Builds the engine in process from the same Guice
 * modules as the CLI, on an embedded PostgreSQL of its own, with one local endpoint and the light
 * application's images v1 and v2; makes {@code pairs + 1} pairs of it through the application
 * services; drives a client load through every pair's active; upgrades one pair alone (its time
 * is one pair's upgrade, in the same run and under the same load), then the fleet with
 * {@link FleetService} at the given max-in-flight; and checks that no request failed after retry,
 * no acknowledged write was lost, and every pair's two logs are equal and hold the records from
 * before unchanged. Every member is stopped and the database closed before it returns.
 */
public final class RealFleetBench {
    static final String ENDPOINT = "fleet";
    static final String IMAGE_V1 = "light-v1";
    static final String IMAGE_V2 = "light-v2";
    static final String LONE_PAIR = "alone";
    static final String FLEET_PREFIX = "fleet-";

    /**
     * What to run.
     *
     * @param pairs pairs in the fleet
     * @param inFlight max-in-flight
     * @param canary pairs in the fleet's first wave
     * @param records records written to each pair before the run (the data whose checksum must not change)
     * @param rate client operations (a write, then a read of it) per second and pair
     * @param work a new or empty folder for the Duplex home and the images
     * @param python the Python 3 the members run
     * @param lateAnswerMs how long after taking the ACT role a member answers the request that asked it to (0: at once);
     *     beyond the http role controller's 5 s timeout, every switchover's call fails after the switch happened
     */
    public record Settings(int pairs, int inFlight, int canary, int records, double rate, Path work, Path python, int lateAnswerMs) {
        /** Members that answer at once. */
        public Settings(int pairs, int inFlight, int canary, int records, double rate, Path work, Path python) {
            this(pairs, inFlight, canary, records, rate, work, python, 0);
        }

        public Settings {
            if (lateAnswerMs < 0 || lateAnswerMs > 60_000) {
                throw new IllegalArgumentException("--late-answer-ms is 0 to 60000, not " + lateAnswerMs);
            }
            requireNonNull(work, "work is null");
            requireNonNull(python, "python is null");
            if (pairs < 1 || pairs > 500) {
                throw new IllegalArgumentException("--pairs is 1 to 500 (each pair is two processes on this machine), not " + pairs);
            }
            if (inFlight < 1 || inFlight > FleetRequest.MAX_IN_FLIGHT) {
                throw new IllegalArgumentException("--in-flight is 1 to " + FleetRequest.MAX_IN_FLIGHT + ", not " + inFlight);
            }
            if (canary < 1 || canary > inFlight) {
                throw new IllegalArgumentException("--canary is 1 to the in-flight (" + inFlight + "), not " + canary);
            }
            if (records < 1 || records > 100_000) {
                throw new IllegalArgumentException("--records is 1 to 100000, not " + records);
            }
            if (!(rate > 0 && rate <= 100)) {
                throw new IllegalArgumentException("--rate is more than 0 and at most 100 operations per second and pair, not " + rate);
            }
        }
    }

    private final Settings settings;
    private final PrintWriter progress;
    private final Actor actor = new Actor("real-fleet@bench");
    private final SecureRandom random = new SecureRandom();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final RealFleetApp app = new RealFleetApp(http);
    private final long startNanos = System.nanoTime();

    public RealFleetBench(Settings settings, PrintWriter progress) {
        this.settings = requireNonNull(settings, "settings is null");
        this.progress = requireNonNull(progress, "progress is null");
    }

    /** One pair as made: its members' ports (system 0, 1) and the checksum of its records before the run. */
    private record FleetPair(String name, List<String> members, int[] ports, long seqBefore, String checksumBefore) {}

    public RealFleetResult run() throws Exception {
        requireEmpty(settings.work());
        Path home = settings.work().resolve("home");
        List<Path> images = RealFleetImages.write(settings.work().resolve("images"), settings.python());
        DuplexConfig config = DuplexConfig.resolve(List.of(), List.of(),
                Map.of("DUPLEX_HOME", home.toString(), "DUPLEX_DB_IDLE_STOP", "PT0S"), new Properties());
        try (Database database = Database.start(DatabaseConfig.embedded(home, Duration.ZERO))) {
            say("embedded PostgreSQL up");
            Injector injector = Guice.createInjector(Stage.DEVELOPMENT,
                    new EngineModule(config, DriverRegistry.onDemand(RealFleetBench.class.getClassLoader(), Optional.empty())),
                    new PersistenceModule(database));
            List<String> members = new ArrayList<>();
            try {
                return measure(injector, images, members);
            } finally {
                stopMembers(injector, members);
                injector.getInstance(EndpointConnections.class).close();
            }
        }
    }

    private RealFleetResult measure(Injector injector, List<Path> images, List<String> started) throws Exception {
        injector.getInstance(EndpointService.class).add(new AddEndpoint(ENDPOINT, "local", Optional.empty(), Optional.empty(), Map.of()), actor);
        ImageService imageService = injector.getInstance(ImageService.class);
        imageService.register(new RegisterImage(IMAGE_V1, ENDPOINT, "v1", images.get(0).toString(), Map.of()), actor);
        imageService.register(new RegisterImage(IMAGE_V2, ENDPOINT, "v2", images.get(1).toString(), Map.of()), actor);
        say("endpoint %s (local driver), images %s and %s registered", ENDPOINT, IMAGE_V1, IMAGE_V2);

        List<String> names = new ArrayList<>();
        names.add(LONE_PAIR);
        for (int i = 0; i < settings.pairs(); i++) {
            names.add(String.format(Locale.ROOT, "%s%03d", FLEET_PREFIX, i));
        }
        Set<Integer> taken = new HashSet<>();
        Map<String, int[]> ports = new LinkedHashMap<>();
        for (String name : names) {
            ports.put(name, new int[] {freePort(taken), freePort(taken)});
        }
        Map<String, FleetPair> pairs = new LinkedHashMap<>();
        ExecutorService makers = Executors.newFixedThreadPool(4);
        try {
            List<Future<FleetPair>> made = new ArrayList<>();
            for (String name : names) {
                started.add(name + "-0");
                started.add(name + "-1");
                made.add(makers.submit(() -> makePair(injector, name, ports.get(name))));
            }
            for (Future<FleetPair> pair : made) {
                FleetPair p = pair.get();
                pairs.put(p.name(), p);
            }
        } finally {
            makers.shutdownNow();
        }
        say("%d pairs up (%d members), %d records each, in sync", pairs.size(), 2 * pairs.size(), settings.records());

        Map<String, Integer> active = new LinkedHashMap<>();
        names.forEach(n -> active.put(n, 0));
        RealFleetLoad load = RealFleetLoad.start(http, ports, active, settings.rate(), Duration.ofSeconds(30));
        FleetService fleets = injector.getInstance(FleetService.class);
        RealFleetLoad.Stats stats;
        FleetJobReport lone;
        FleetJobReport fleet;
        long aloneNanos;
        long fleetNanos;
        int waves;
        try {
            Thread.sleep(settle()); // the load runs before any upgrade starts
            long t0 = System.nanoTime();
            lone = fleets.run(new FleetRequest(new FleetSelection(Optional.of(LONE_PAIR), Optional.empty()), IMAGE_V2, UpgradeStrategy.LINK,
                    1, 1, 0, actor.name()), actor, FleetListener.NONE);
            aloneNanos = System.nanoTime() - t0;
            say("one pair alone: %s in %.2f s", lone.state(), aloneNanos / 1e9);
            FleetRequest request = new FleetRequest(new FleetSelection(Optional.of(FLEET_PREFIX + "*"), Optional.empty()), IMAGE_V2,
                    UpgradeStrategy.LINK, settings.inFlight(), settings.canary(), 0, actor.name());
            waves = fleets.plan(request).plan().waves().size();
            long t1 = System.nanoTime();
            fleet = fleets.run(request, actor, new FleetListener() {
                @Override
                public void waveStarted(Wave wave) {
                    say("wave %d of %d: %d pairs", wave.number(), waves, wave.pairs().size());
                }

                @Override
                public void pairEnded(PairOutcome outcome) {
                    if (!outcome.succeeded()) {
                        say("pair %s: %s %s", outcome.pair(), outcome.state(), outcome.error().orElse(""));
                    }
                }
            });
            fleetNanos = System.nanoTime() - t1;
            say("fleet: %s in %.2f s", fleet.state(), fleetNanos / 1e9);
            Thread.sleep(settle()); // and after the last one ends
        } finally {
            stats = load.stop();
        }
        return check(injector, pairs, load, stats, lone, fleet, Duration.ofNanos(aloneNanos), Duration.ofNanos(fleetNanos), waves);
    }

    /** One pair's end checks. */
    private record PairCheck(int onNewImage, long lost, boolean equal, List<String> problems, List<Long> cpu, List<Long> startCpu, List<Long> rss) {}

    /** The end checks, pairs side by side: roles, images, logs and checksums, acknowledged writes, and each member's footprint. */
    private RealFleetResult check(Injector injector, Map<String, FleetPair> pairs, RealFleetLoad load, RealFleetLoad.Stats stats,
            FleetJobReport lone, FleetJobReport fleet, Duration alone, Duration measured, int waves) throws Exception {
        Inventory inventory = injector.getInstance(Inventory.class);
        List<String> problems = new ArrayList<>();
        if (!lone.state().name().equals("SUCCEEDED")) {
            problems.add("the lone pair's upgrade ended " + lone.state() + lone.error().map(e -> ": " + e).orElse(""));
        }
        List<PairCheck> checks = new ArrayList<>();
        ExecutorService checkers = Executors.newFixedThreadPool(8);
        try {
            List<Future<PairCheck>> running = new ArrayList<>();
            for (FleetPair pair : pairs.values()) {
                running.add(checkers.submit(() -> checkPair(inventory, pair, load.acknowledged().get(pair.name()))));
            }
            for (Future<PairCheck> check : running) {
                checks.add(check.get());
            }
        } finally {
            checkers.shutdownNow();
        }
        checks.forEach(c -> problems.addAll(c.problems()));
        say("end checks done");
        List<PairOutcome> outcomes = fleet.run().outcomes();
        long succeeded = outcomes.stream().filter(PairOutcome::succeeded).count();
        Duration mean = outcomes.isEmpty() ? Duration.ZERO
                : outcomes.stream().map(PairOutcome::elapsed).reduce(Duration.ZERO, Duration::plus).dividedBy(outcomes.size());
        return new RealFleetResult(settings.pairs(), settings.inFlight(), waves, alone, measured, fleet.state().name(), succeeded,
                checks.stream().mapToLong(PairCheck::onNewImage).sum(), stats, checks.stream().mapToLong(PairCheck::lost).sum(), pairs.size(),
                (int) checks.stream().filter(PairCheck::equal).count(), problems,
                checks.stream().flatMap(c -> c.cpu().stream()).toList(), checks.stream().flatMap(c -> c.startCpu().stream()).toList(),
                checks.stream().flatMap(c -> c.rss().stream()).toList(), mean);
    }

    private PairCheck checkPair(Inventory inventory, FleetPair pair, Map<String, String> acknowledged) {
        List<String> problems = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        List<Long> startCpu = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        int onV2 = 0;
        long lost = 0;
        boolean equal = false;
        PairRecord record = inventory.pair(pair.name()).orElseThrow();
        for (String member : pair.members()) {
            if (inventory.vm(member).map(vm -> vm.image().equals(IMAGE_V2)).orElse(false)) {
                onV2++;
            }
        }
        int actSystem = record.activeSystem();
        int act = pair.ports()[actSystem];
        int sby = pair.ports()[1 - actSystem];
        try {
            RealFleetApp.Answer actRole = app.get(act, "/role");
            RealFleetApp.Answer sbyRole = app.get(sby, "/role");
            if (!actRole.text("role").equals("ACT") || !sbyRole.text("role").equals("SBY")) {
                problems.add(pair.name() + ": the inventory's active " + pair.members().get(actSystem) + " reports " + actRole.text("role")
                        + " and its standby " + sbyRole.text("role"));
            }
            RealFleetApp.Answer sync = app.post(sby, "/resync?wait_ms=5000");
            if (!sync.body().path("in_sync").asBoolean()) {
                problems.add(pair.name() + ": the standby is not in sync after 5 s: " + sync.body());
            }
            String actAll = app.checksum(act, -1).text("checksum");
            String sbyAll = app.checksum(sby, -1).text("checksum");
            String actBefore = app.checksum(act, pair.seqBefore()).text("checksum");
            String sbyBefore = app.checksum(sby, pair.seqBefore()).text("checksum");
            equal = actAll.equals(sbyAll) && actBefore.equals(pair.checksumBefore()) && sbyBefore.equals(pair.checksumBefore());
            if (!equal) {
                problems.add(pair.name() + ": checksums differ: members " + actAll + " / " + sbyAll + ", records 1.." + pair.seqBefore()
                        + " before " + pair.checksumBefore() + ", now " + actBefore + " / " + sbyBefore);
            }
            for (Map.Entry<String, String> write : acknowledged.entrySet()) {
                // an acknowledged write must be on the active now, with the value written
                if (!write.getValue().equals(readValue(act, write.getKey()))) {
                    lost++;
                }
            }
            for (int port : pair.ports()) {
                RealFleetApp.Answer health = app.get(port, "/health");
                cpu.add(health.number("cpu_ms"));
                startCpu.add(health.number("start_cpu_ms"));
                rss.add(health.number("peak_rss_kb"));
            }
        } catch (RuntimeException e) {
            problems.add(pair.name() + ": " + e.getMessage());
        }
        return new PairCheck(onV2, lost, equal, problems, cpu, startCpu, rss);
    }

    /** Long enough for every pair's client to make two operations. */
    private long settle() {
        return (long) Math.ceil(2000 / settings.rate());
    }

    private String readValue(int port, String key) {
        try {
            var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/kv/" + key))
                    .timeout(Duration.ofSeconds(10)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key + " on port " + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Makes one pair on image v1 through the services: two database volumes, two VMs linked to them
     * (each with its port, its peer's and its own role token), the pair with the http role
     * controller; starts both, writes the records through the active, and waits for the standby.
     */
    private FleetPair makePair(Injector injector, String name, int[] ports) {
        VolumeService volumes = injector.getInstance(VolumeService.class);
        VmService vms = injector.getInstance(VmService.class);
        List<String> members = List.of(name + "-0", name + "-1");
        for (int system = 0; system < 2; system++) {
            String volume = name + "-db" + system;
            volumes.create(new CreateVolume(volume, ENDPOINT, 1 << 20, "database", Map.of()), actor);
            Map<String, String> properties = new LinkedHashMap<>();
            // The http role controller finds {port} and the role token in these (env.PORT, env.ROLE_TOKEN).
            properties.put("env.PORT", Integer.toString(ports[system]));
            properties.put("env.PEER", "127.0.0.1:" + ports[1 - system]);
            properties.put("env.ROLE", system == 0 ? "ACT" : "SBY");
            properties.put("env.ROLE_TOKEN", roleToken());
            if (settings.lateAnswerMs() > 0) {
                properties.put("env.ANSWER_DELAY_MS", Integer.toString(settings.lateAnswerMs()));
            }
            vms.create(new CreateVm(members.get(system), ENDPOINT, IMAGE_V1,
                    List.of(new LinkRecord(volume, "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties), actor);
        }
        injector.getInstance(PairService.class).create(new CreatePair(name, members.get(0), members.get(1), 0, StandbyKind.HOT,
                Map.of("type", "http"), Map.of("timeout-ms", "120000")), actor);
        for (String member : members) {
            vms.start(member, false, actor);
        }
        for (int port : ports) {
            awaitHealthy(name, port);
        }
        for (int i = 1; i <= settings.records(); i++) {
            RealFleetApp.Answer written = app.put(ports[0], String.format(Locale.ROOT, "seed-%06d", i), name + " record " + i);
            if (written.status() != 200) {
                throw new IllegalStateException("Pair " + name + ": writing record " + i + " to its active answered " + written.status() + " "
                        + written.body());
            }
        }
        RealFleetApp.Answer sync = app.post(ports[1], "/resync?wait_ms=5000");
        if (!sync.body().path("in_sync").asBoolean()) {
            throw new IllegalStateException("Pair " + name + ": the standby did not catch up with the first records: " + sync.body());
        }
        RealFleetApp.Answer before = app.checksum(ports[0], -1);
        if (!before.text("checksum").equals(app.checksum(ports[1], -1).text("checksum"))) {
            throw new IllegalStateException("Pair " + name + ": the members' logs differ after the first records");
        }
        return new FleetPair(name, members, ports, before.number("seq"), before.text("checksum"));
    }

    private void awaitHealthy(String pair, int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (app.get(port, "/health").text("status").equals("ok")) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Pair " + pair + ": the member on port " + port + " did not answer /health within 60 s;"
                        + " see its console under the work folder's home/");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private void stopMembers(Injector injector, List<String> members) {
        VmService vms = injector.getInstance(VmService.class);
        Inventory inventory = injector.getInstance(Inventory.class);
        for (String member : members) {
            if (inventory.vm(member).isEmpty()) {
                continue;
            }
            try {
                vms.stop(member, true, actor);
            } catch (RuntimeException e) {
                say("stopping %s failed: %s", member, e.getMessage());
            }
        }
    }

    private String roleToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static int freePort(Set<Integer> taken) {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (taken.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free local port for a member: " + e.getMessage(), e);
            }
        }
    }

    private static void requireEmpty(Path work) throws IOException {
        if (Files.exists(work)) {
            try (var entries = Files.list(work)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--work " + work + " is not empty; give a new or empty folder (the run makes a Duplex home there)");
                }
            }
        }
        // the Duplex home, the images and the members' consoles are nobody else's business
        Files.createDirectories(work, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }

    private void say(String format, Object... args) {
        synchronized (progress) {
            progress.printf(Locale.ROOT, "%7.1f s  " + format + "%n", prepend((System.nanoTime() - startNanos) / 1e9, args));
            progress.flush();
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
