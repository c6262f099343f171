package dev.duplex.engine.demo;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.VolumeLink;
import dev.duplex.api.role.RoleController;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.role.AfterSwitchover;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.RegisterImage;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One strategy's demo: a pair of the demo application on the local driver, made through the
 * application services (so it is validated and audited like any other), its two database volumes
 * filled to the requested size, a client load through the pair's service address during the whole
 * upgrade v1 → v2, and the measurements of {@link DemoResult}.
 *
 * <p>The local driver keeps a volume's content in {@code <work dir>/volumes/<id>/data}; the demo
 * fills and checksums it there through {@link DemoApplication}, since only the application knows its format.
 */
public final class UpgradeDemo {
    public static final String ENDPOINT = "demo";
    public static final String IMAGE_V1 = "kv-v1";
    public static final String IMAGE_V2 = "kv-v2";

    private final DemoService services;
    private final DemoApplication application;
    private final DemoProgress progress;
    private final Actor actor;
    private final SecureRandom random = new SecureRandom();
    private String lastPair;

    UpgradeDemo(DemoService services, DemoApplication application, DemoProgress progress, Actor actor) {
        this.services = requireNonNull(services, "services is null");
        this.application = requireNonNull(application, "application is null");
        this.progress = requireNonNull(progress, "progress is null");
        this.actor = requireNonNull(actor, "actor is null");
    }

    /** Adds the demo endpoint and registers images v1 and v2 (folders {@code images/v1}, {@code images/v2}) once per Duplex home. */
    public void prepare(Path images) {
        if (services.inventory.endpoint(ENDPOINT).isEmpty()) {
            services.endpoints.add(new AddEndpoint(ENDPOINT, "local", Optional.empty(), Optional.empty(), Map.of()), actor);
        }
        for (String version : List.of("v1", "v2")) {
            String name = "kv-" + version;
            Optional<ImageRecord> existing = services.inventory.image(name);
            if (existing.isEmpty()) {
                services.images.register(new RegisterImage(name, ENDPOINT, version, images.resolve(version).toString(), Map.of()), actor);
            } else if (services.connections.driver(ENDPOINT).listImages().stream()
                    .noneMatch(i -> i.image().id().equals(existing.get().driverRef()))) {
                throw new IllegalStateException("Image " + name + " is in the inventory but its files are gone from the local driver;"
                        + " use a fresh DUPLEX_HOME for the demo");
            }
        }
    }

    /** A demo pair, up and in sync, with the checksum of its database taken before any upgrade. */
    public record DemoPair(String name, List<String> members, int[] ports, DemoApplication.Checksum before) {}

    /**
     * Creates and starts a pair on image v1: two database volumes filled identically (the fill is
     * deterministic, as a replicated pair's databases would be), two VMs linked to them, the
     * pair with an http role controller; returns once both serve and the standby is in sync.
     */
    public DemoPair startPair(String prefix, long dbSize) throws IOException {
        String base = prefix + "-" + Long.toString(System.currentTimeMillis(), 36);
        lastPair = base;
        int[] ports = {freePort(), freePort()};
        List<String> members = List.of(base + "-0", base + "-1");
        List<String> volumes = new ArrayList<>();
        for (int system = 0; system < 2; system++) {
            String volume = base + "-db" + system;
            VolumeRecord created = services.volumes.create(new CreateVolume(volume, ENDPOINT, dbSize, "database", Map.of()), actor);
            progress.filling(volume, dbSize);
            application.fill(volumeData(created.driverRef()), dbSize);
            volumes.add(volume);
        }
        // Each member's POST /role needs its own token; the http role controller sends env.ROLE_TOKEN,
        // and each member knows its peer's to ask it to step down.
        String[] tokens = {roleToken(), roleToken()};
        for (int system = 0; system < 2; system++) {
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("env.KV_PORT", Integer.toString(ports[system]));
            properties.put("env.KV_PEER", "127.0.0.1:" + ports[1 - system]);
            properties.put("env.KV_ROLE", system == 0 ? "ACT" : "SBY");
            properties.put("env.ROLE_TOKEN", tokens[system]);
            properties.put("env.KV_PEER_ROLE_TOKEN", tokens[1 - system]);
            services.vms.create(new CreateVm(members.get(system), ENDPOINT, IMAGE_V1,
                    List.of(new LinkRecord(volumes.get(system), "db", VolumeLink.Mode.MOUNT_AT_BOOT)), properties), actor);
        }
        services.pairs.create(new CreatePair(base, members.get(0), members.get(1), 0, StandbyKind.HOT, httpRoleController(members, ports),
                Map.of("timeout-ms", "120000")), actor);
        for (String member : members) {
            services.vms.start(member, false, actor);
        }
        application.awaitHealthy(members.get(0), ports[0], Duration.ofSeconds(60));
        application.awaitHealthy(members.get(1), ports[1], Duration.ofSeconds(60));
        application.awaitInSync(members.get(1), ports[1], Duration.ofSeconds(60));
        DemoApplication.Checksum before = application.checksum(volumeData(services.inventory.volume(volumes.get(0)).orElseThrow().driverRef()));
        return new DemoPair(base, members, ports, before);
    }

    /** The http role controller's settings for the pair's two members, each on its port. */
    static Map<String, String> httpRoleController(List<String> members, int[] ports) {
        Map<String, String> roleController = new LinkedHashMap<>();
        roleController.put("type", "http");
        // The kv service takes over without asking its demoted peer again once it holds the seq that peer stated.
        roleController.put("takeover-url", "{base}/role?to=ACT&peer_seq={peer_seq}");
        for (int system = 0; system < 2; system++) {
            roleController.put("member." + members.get(system) + ".port", Integer.toString(ports[system]));
        }
        return roleController;
    }

    /**
     * Makes a pair of {@code dbSize} per member, upgrades it to v2 with {@code strategy} under a
     * client load of {@code rate} requests per second, and measures it; stops its members afterwards.
     */
    public DemoResult run(UpgradeStrategy strategy, long dbSize, int rate, UpgradeListener listener) {
        List<String> members = new ArrayList<>();
        DemoApplication.ServiceAddress address = null;
        DemoApplication.ClientLoad load = null;
        try {
            DemoPair pair = startPair("demo-" + strategy.key(), dbSize);
            members.addAll(pair.members());
            int[] ports = pair.ports();
            String base = pair.name();
            address = application.serviceAddress("127.0.0.1:" + ports[0]);
            DemoApplication.ServiceAddress proxy = address;
            load = application.startLoad(address.port(), rate);
            DemoApplication.ClientLoad client = load;
            progress.pairUp(base, members, ports, rate, address.port());

            // The local stand-in for a virtual IP: at switchover the service address follows the new active.
            Map<String, Integer> portOf = Map.of(members.get(0), ports[0], members.get(1), ports[1]);
            SwitchoverTimeline[] timeline = new SwitchoverTimeline[1];
            RollingUpgrade upgrade = services.upgrade(p -> {
                // the timeline wraps the application's controller; the repoint runs after it, as part of the gap
                timeline[0] = new SwitchoverTimeline(services.roleControllers.forPair(p));
                SwitchoverTimeline noted = timeline[0];
                RoleController repointing = new AfterSwitchover(noted, (context, newActive) -> {
                    proxy.repoint("127.0.0.1:" + portOf.get(newActive));
                    noted.note("repointed");
                });
                return repointing;
            });
            UpgradeReport report = upgrade.run(UpgradeRequest.of(base, IMAGE_V2, strategy, actor.name()), listener);
            DemoApplication.LoadStats stats = load.stop();
            load = null;
            // The client's gap around the moment the old active stopped taking writes, and where it went.
            Optional<Instant[]> gap = Optional.ofNullable(timeline[0]).flatMap(SwitchoverTimeline::firstRoleChange).flatMap(client::gapAround);
            long switchoverClientGapMs = gap.map(g -> Duration.between(g[0], g[1]).toMillis()).orElse(0L);
            progress.clientGap(switchoverClientGapMs, gap.map(g -> timeline[0].within(g[0], g[1])), stats.longestGapMs());

            String after = checksumAfter(base, pair.before());
            return new DemoResult(strategy.key(), report.longestSingleSideWindow().toMillis(),
                    report.switchoverGap().map(Duration::toMillis).orElse(-1L), stats.requests(), stats.failedAfterRetry(), stats.retries(),
                    stats.longestGapMs(), switchoverClientGapMs, pair.before().sha256(), after, report.bytesCopied(), report.total().toMillis(),
                    report.jobId(), report.state().name() + report.error().map(e -> ": " + e).orElse(""));
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
                    progress.problem("closing the service address failed: " + e.getMessage());
                }
            }
            stopMembers(members);
        }
    }

    /** The checksum of every member's database now, over the records that existed before: equal to before, or both listed. */
    public String checksumAfter(String pair, DemoApplication.Checksum before) throws IOException {
        PairRecord record = services.pairs.show(pair);
        List<String> sums = new ArrayList<>();
        for (String member : List.of(record.system0(), record.system1())) {
            VmRecord vm = services.inventory.vm(member).orElseThrow();
            for (LinkRecord link : vm.links()) {
                VolumeRecord volume = services.inventory.volume(link.volume()).orElseThrow();
                sums.add(application.checksum(volumeData(volume.driverRef()), before.seq()).sha256());
            }
        }
        return sums.stream().distinct().count() == 1 ? sums.get(0) : String.join(" / ", sums);
    }

    /**
     * Deletes the last run's pair, its VMs and every volume they linked, through the services
     * (benchmarks in a throw-away home only: the upgrade engine itself never deletes a data volume).
     */
    public void discardLastRun() {
        if (lastPair == null) {
            return;
        }
        String prefix = lastPair;
        lastPair = null;
        services.inventory.pair(prefix).ifPresent(p -> services.pairs.delete(p.name(), actor));
        List<String> volumes = new ArrayList<>();
        for (VmRecord vm : services.inventory.vms().stream().filter(v -> v.name().startsWith(prefix)).toList()) {
            services.vms.stop(vm.name(), true, actor);
            services.vms.delete(vm.name(), actor);
        }
        for (VolumeRecord volume : services.inventory.volumes().stream().filter(v -> v.name().startsWith(prefix)).toList()) {
            services.volumes.delete(volume.name(), true, actor);
            volumes.add(volume.name());
        }
        progress.discarded(prefix, volumes);
    }

    /** Stops the pair's VMs as the inventory names them now. */
    public void stopPair(String pair) {
        services.inventory.pair(pair).ifPresent(p -> stopMembers(List.of(p.system0(), p.system1())));
    }

    private void stopMembers(List<String> members) {
        for (String member : members) {
            if (services.inventory.vm(member).isEmpty()) {
                continue;
            }
            try {
                services.vms.stop(member, false, actor);
            } catch (RuntimeException e) {
                progress.problem("stopping " + member + " failed: " + e.getMessage());
            }
        }
    }

    /** Where the local driver keeps the content of volume {@code volumeId}. */
    Path volumeData(String volumeId) {
        return services.connections.workDirectory(ENDPOINT).resolve("volumes").resolve(volumeId).resolve("data");
    }

    private String roleToken() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port for the demo: " + e.getMessage(), e);
        }
    }
}
