package dev.duplex.cli.demo;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.audit.OperatingSystemUser;
import dev.duplex.cli.Services;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.role.AfterSwitchover;
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.engine.upgrade.Drivers;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import dev.duplex.example.kv.KvLog;
import dev.duplex.example.kv.LoadClient;
import dev.duplex.example.kv.ServiceAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One strategy's demo: a pair of the replicated key-value service on the local driver, its two
 * database volumes filled to the requested size, a client load through the pair's service
 * address during the whole upgrade v1 → v2, and the measurements of {@link DemoResult}.
 *
 * <p>The local driver keeps a volume's content in {@code <work dir>/volumes/<id>/data}; the demo
 * fills and checksums it there, since only the application knows its format.
 */
public final class UpgradeDemo {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpgradeDemo.class);
    public static final String ENDPOINT = "demo";
    public static final String IMAGE_V1 = "kv-v1";
    public static final String IMAGE_V2 = "kv-v2";
    private static final int VALUE_SIZE = 32 << 10;

    private final Services services;
    private final UpgradeSettings settings;
    private final PrintWriter progress;
    private final MemberProbe probe = new MemberProbe();
    private String lastPair;

    public UpgradeDemo(Services services, UpgradeSettings settings, PrintWriter progress) {
        this.services = services;
        this.settings = settings;
        this.progress = progress;
    }

    /** Creates the demo endpoint and registers images v1 and v2 once per Duplex home. */
    public void prepare(Path images) {
        Inventory inventory = services.inventory();
        if (inventory.endpoint(ENDPOINT).isEmpty()) {
            inventory.addEndpoint(new Endpoint(ENDPOINT, "local", "local:", Optional.empty(), Map.of()));
        }
        HypervisorDriver driver = services.connections().driver(ENDPOINT);
        for (String version : List.of("v1", "v2")) {
            String name = "kv-" + version;
            Optional<ImageRecord> existing = inventory.image(name);
            boolean known = existing.isPresent() && driver.listImages().stream().anyMatch(i -> i.image().id().equals(existing.get().driverRef()));
            if (!known) {
                ImageRef ref = driver.registerImage(new ImageSpec(name + "-" + System.currentTimeMillis(), version,
                        images.resolve(version).toString(), Map.of()));
                if (existing.isPresent()) {
                    throw new IllegalStateException("Image " + name + " is in the inventory but its files are gone from the local driver;"
                            + " use a fresh DUPLEX_HOME for the demo");
                }
                inventory.addImage(new ImageRecord(name, ENDPOINT, version, ref.id()));
            }
        }
    }

    /** A demo pair, up and in sync, with the checksum of its database taken before any upgrade. */
    public record DemoPair(String name, List<String> members, int[] ports, KvLog.Checksum before) {}

    /**
     * Creates and starts a pair on image v1: two database volumes filled identically (the fill is
     * deterministic, as a replicated pair's databases would be), two VMs linked to them, the
     * pair with an http role controller; returns once both serve and the standby is in sync.
     */
    public DemoPair startPair(String prefix, long dbSize) throws IOException {
        String base = prefix + "-" + Long.toString(System.currentTimeMillis(), 36);
        lastPair = base;
        Inventory inventory = services.inventory();
        HypervisorDriver driver = services.connections().driver(ENDPOINT);
        int[] ports = {freePort(), freePort()};
        List<String> members = List.of(base + "-0", base + "-1");
        List<String> volumes = new ArrayList<>();
        for (int system = 0; system < 2; system++) {
            String volume = base + "-db" + system;
            VolumeRef ref = driver.createVolume(new VolumeSpec(volume, dbSize, "database", Map.of()));
            inventory.addVolume(new VolumeRecord(volume, ENDPOINT, ref.id(), dbSize, "database"));
            progress.printf("  filling %s with %s of data%n", volume, dev.duplex.cli.ByteSize.format(dbSize));
            progress.flush();
            KvLog.fill(volumeData(ref.id()), dbSize, VALUE_SIZE);
            volumes.add(volume);
        }
        ImageRecord v1 = inventory.image(IMAGE_V1).orElseThrow();
        // Each member's POST /role needs its own token; the http role controller sends env.ROLE_TOKEN,
        // and each member knows its peer's to ask it to step down.
        String[] tokens = {roleToken(), roleToken()};
        for (int system = 0; system < 2; system++) {
            String name = members.get(system);
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("env.KV_PORT", Integer.toString(ports[system]));
            properties.put("env.KV_PEER", "127.0.0.1:" + ports[1 - system]);
            properties.put("env.KV_ROLE", system == 0 ? "ACT" : "SBY");
            properties.put("env.ROLE_TOKEN", tokens[system]);
            properties.put("env.KV_PEER_ROLE_TOKEN", tokens[1 - system]);
            VolumeRecord volume = inventory.volume(volumes.get(system)).orElseThrow();
            VmRef ref = driver.createVm(new VmSpec(name, new ImageRef(v1.driverRef(), v1.name()),
                    List.of(new VolumeLink(new VolumeRef(volume.driverRef(), volume.name()), "db", VolumeLink.Mode.MOUNT_AT_BOOT)),
                    properties));
            inventory.addVm(new VmRecord(name, ENDPOINT, ref.id(), v1.name(),
                    List.of(new LinkRecord(volume.name(), "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties));
        }
        Map<String, String> roleController = new LinkedHashMap<>();
        roleController.put("type", "http");
        for (int system = 0; system < 2; system++) {
            roleController.put("member." + members.get(system) + ".port", Integer.toString(ports[system]));
        }
        inventory.addPair(new PairRecord(base, members.get(0), members.get(1), 0, StandbyKind.HOT, roleController,
                Map.of("timeout-ms", "120000")));
        for (int system = 0; system < 2; system++) {
            VmRecord vm = inventory.vm(members.get(system)).orElseThrow();
            driver.start(new VmRef(vm.driverRef(), vm.name()));
        }
        probe.awaitHealthy(members.get(0), ports[0], Duration.ofSeconds(60));
        probe.awaitHealthy(members.get(1), ports[1], Duration.ofSeconds(60));
        probe.awaitInSync(members.get(1), ports[1], Duration.ofSeconds(60));
        KvLog.Checksum before = KvLog.checksum(volumeData(inventory.volume(volumes.get(0)).orElseThrow().driverRef()));
        return new DemoPair(base, members, ports, before);
    }

    private final java.security.SecureRandom random = new java.security.SecureRandom();

    private String roleToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    public DemoResult run(UpgradeStrategy strategy, long dbSize, int rate, UpgradeListener listener) {
        Inventory inventory = services.inventory();
        EndpointConnections connections = services.connections();
        List<String> members = new ArrayList<>();
        ServiceAddress address = null;
        LoadClient load = null;
        try {
            DemoPair pair = startPair("demo-" + strategy.key(), dbSize);
            members.addAll(pair.members());
            int[] ports = pair.ports();
            String base = pair.name();
            KvLog.Checksum before = pair.before();
            address = ServiceAddress.start(0, "127.0.0.1:" + ports[0], event -> log.info("{}", event));
            ServiceAddress proxy = address;
            load = LoadClient.start(LoadClient.Options.of("127.0.0.1", address.port()).withRate(rate));
            LoadClient loadClient = load;
            progress.printf("  pair %s up (%s ACT on :%d, %s SBY on :%d); client load %d req/s through :%d%n", base, members.get(0),
                    ports[0], members.get(1), ports[1], rate, address.port());
            progress.flush();

            // The local stand-in for a virtual IP: at switchover the service address follows the new active.
            Map<String, Integer> portOf = Map.of(members.get(0), ports[0], members.get(1), ports[1]);
            RoleControllers builtIn = new RoleControllers();
            SwitchoverTimeline[] timeline = new SwitchoverTimeline[1];
            RollingUpgrade upgrade = new RollingUpgrade(inventory, services.get(JobQueue.class), services.get(AuditLog.class),
                    Drivers.of(connections), p -> {
                        // the timeline wraps the application's controller; the repoint runs after it, as part of the gap
                        timeline[0] = new SwitchoverTimeline(builtIn.forPair(p));
                        SwitchoverTimeline noted = timeline[0];
                        return new AfterSwitchover(noted, (context, newActive) -> {
                            proxy.repoint("127.0.0.1:" + portOf.get(newActive));
                            noted.note("repointed");
                        });
                    }, settings);
            UpgradeReport report = upgrade.run(UpgradeRequest.of(base, IMAGE_V2, strategy, OperatingSystemUser.current()), listener);
            LoadClient.Stats stats = load.stop();
            load = null;
            // The client's gap around the moment the old active stopped taking writes, and where it went.
            Optional<java.time.Instant[]> gap = Optional.ofNullable(timeline[0]).flatMap(SwitchoverTimeline::firstRoleChange)
                    .flatMap(loadClient::gapAround);
            long switchoverClientGapMs = gap.map(g -> java.time.Duration.between(g[0], g[1]).toMillis()).orElse(0L);
            progress.printf("  client gap at the switchover %d ms%s; longest client gap anywhere %d ms%n", switchoverClientGapMs,
                    gap.map(g -> ", from the last success before it: " + timeline[0].within(g[0], g[1]) + ", first success +"
                            + switchoverClientGapMs + " ms").orElse(" (a success within 10 ms of the role change)"), stats.longestGapMs());
            progress.flush();

            String after = checksumAfter(base, before);
            return new DemoResult(strategy.key(), report.longestSingleSideWindow().toMillis(),
                    report.switchoverGap().map(Duration::toMillis).orElse(-1L), stats.requests(), stats.failedAfterRetry(), stats.retries(),
                    stats.longestGapMs(), switchoverClientGapMs, before.sha256(), after, report.bytesCopied(), report.total().toMillis(), report.jobId(),
                    report.state().name() + report.error().map(e -> ": " + e).orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException("Demo pair for " + strategy.key() + ": " + e.getMessage(), e);
        } finally {
            if (load != null) {
                load.stop();
            }
            if (address != null) {
                try {
                    address.close();
                } catch (IOException e) {
                    progress.println("  (closing the service address failed: " + e.getMessage() + ")");
                }
            }
            stopMembers(members);
        }
    }

    /** The checksum of every member's database now, over the records that existed before: equal to before, or both listed. */
    public String checksumAfter(String pair, KvLog.Checksum before) throws IOException {
        Inventory inventory = services.inventory();
        PairRecord record = inventory.pair(pair).orElseThrow();
        List<String> sums = new ArrayList<>();
        for (String member : List.of(record.system0(), record.system1())) {
            VmRecord vm = inventory.vm(member).orElseThrow();
            for (LinkRecord link : vm.links()) {
                VolumeRecord volume = inventory.volume(link.volume()).orElseThrow();
                sums.add(KvLog.checksum(volumeData(volume.driverRef()), before.seq()).sha256());
            }
        }
        return sums.stream().distinct().count() == 1 ? sums.get(0) : String.join(" / ", sums);
    }

    /**
     * Deletes the last run's VMs and every volume they linked (benchmarks in a throw-away home only:
     * the upgrade engine itself never deletes a data volume).
     */
    public void discardLastRun() {
        if (lastPair == null) {
            return;
        }
        Inventory inventory = services.inventory();
        HypervisorDriver driver = services.connections().driver(ENDPOINT);
        List<String> volumes = new ArrayList<>();
        for (var vm : driver.listVms()) {
            if (vm.vm().name().startsWith(lastPair)) {
                driver.stop(vm.vm(), StopMode.FORCE);
                driver.deleteVm(vm.vm());
            }
        }
        for (var volume : driver.listVolumes()) {
            if (volume.volume().name().startsWith(lastPair)) {
                driver.deleteVolume(volume.volume());
            }
        }
        inventory.volumes().stream().filter(v -> v.name().startsWith(lastPair)).forEach(v -> volumes.add(v.name()));
        progress.printf("   discarded pair %s and its volumes %s%n", lastPair, volumes);
        lastPair = null;
    }

    /** Stops the pair's VMs as the inventory names them now. */
    public void stopPair(String pair) {
        services.inventory().pair(pair).ifPresent(p -> stopMembers(List.of(p.system0(), p.system1())));
    }

    private void stopMembers(List<String> members) {
        HypervisorDriver driver = services.connections().driver(ENDPOINT);
        for (String member : members) {
            services.inventory().vm(member).ifPresent(vm -> {
                try {
                    driver.stop(new VmRef(vm.driverRef(), vm.name()), StopMode.GRACEFUL);
                } catch (RuntimeException e) {
                    progress.println("  (stopping " + member + " failed: " + e.getMessage() + ")");
                }
            });
        }
    }

    private Path volumeData(String volumeId) {
        return services.connections().workDirectory(ENDPOINT).resolve("volumes").resolve(volumeId).resolve("data");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port for the demo: " + e.getMessage(), e);
        }
    }
}
