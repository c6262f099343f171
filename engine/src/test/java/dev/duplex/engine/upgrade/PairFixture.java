package dev.duplex.engine.upgrade;

import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;
import dev.duplex.engine.testing.FakeAuditLog;

import dev.duplex.api.ImageRef;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pair "kv" on endpoint "lab": kv-0 (ACT) and kv-1 (SBY) running image v1, each linked to its
 * own filled database volume (db-0, db-1); image v2 registered ahead. Everything in memory.
 */
final class PairFixture {
    static final int DB_SIZE = 4096;

    final FakeDriver driver;
    final FakeInventory inventory = new FakeInventory();
    final FakeJobQueue jobs = new FakeJobQueue();
    final FakeAuditLog audit = new FakeAuditLog();
    final FakeRoleController app;
    final byte[] db0;
    final byte[] db1;
    final VolumeRef volume0;
    final VolumeRef volume1;
    final VmRef vm0;
    final VmRef vm1;

    PairFixture() {
        this(FakeDriver.withAll("kv-"));
    }

    PairFixture(FakeDriver driver) {
        this.driver = driver;
        inventory.addEndpoint(new Endpoint("lab", "fake", "fake:///", Optional.empty(), Map.of()));
        inventory.addEndpoint(new Endpoint("other", "fake", "fake:///other", Optional.empty(), Map.of()));
        ImageRef v1 = driver.addImage("v1", "1.0");
        ImageRef v2 = driver.addImage("v2", "2.0");
        inventory.addImage(new ImageRecord("v1", "lab", "1.0", v1.id()));
        inventory.addImage(new ImageRecord("v2", "lab", "2.0", v2.id()));
        inventory.addImage(new ImageRecord("v2-elsewhere", "other", "2.0", "img-elsewhere"));
        volume0 = driver.createVolume(new VolumeSpec("db-0", DB_SIZE, "database", Map.of()));
        volume1 = driver.createVolume(new VolumeSpec("db-1", DB_SIZE, "database", Map.of()));
        driver.fill(volume0, (byte) 7);
        driver.fill(volume1, (byte) 7);
        db0 = driver.content(volume0.id());
        db1 = driver.content(volume1.id());
        inventory.addVolume(new VolumeRecord("db-0", "lab", volume0.id(), DB_SIZE, "database"));
        inventory.addVolume(new VolumeRecord("db-1", "lab", volume1.id(), DB_SIZE, "database"));
        vm0 = driver.addRunningVm("kv-0", v1, List.of(new VolumeLink(volume0, "data", VolumeLink.Mode.MOUNT_AT_BOOT)));
        vm1 = driver.addRunningVm("kv-1", v1, List.of(new VolumeLink(volume1, "data", VolumeLink.Mode.MOUNT_AT_BOOT)));
        inventory.addVm(new VmRecord("kv-0", "lab", vm0.id(), "v1", List.of(new LinkRecord("db-0", "data", VolumeLink.Mode.MOUNT_AT_BOOT)),
                Map.of("port", "8080")));
        inventory.addVm(new VmRecord("kv-1", "lab", vm1.id(), "v1", List.of(new LinkRecord("db-1", "data", VolumeLink.Mode.MOUNT_AT_BOOT)),
                Map.of("port", "8081")));
        inventory.addPair(new PairRecord("kv", "kv-0", "kv-1", 0, StandbyKind.HOT, Map.of("type", "fake"),
                Map.of("timeout-ms", "500", "poll-ms", "1", "health-timeout-ms", "200", "switchover-settle-ms", "50")));
        app = new FakeRoleController(driver, "kv-0", "kv-1");
        inventory.forgetChanges();
    }

    /** The same VMs, volumes and images with the pair dissolved: kv-0 and kv-1 are VMs in no pair. */
    static PairFixture unpaired() {
        return unpaired(FakeDriver.withAll("kv-"));
    }

    static PairFixture unpaired(FakeDriver driver) {
        PairFixture f = new PairFixture(driver);
        f.inventory.dissolvePair("kv");
        f.inventory.forgetChanges();
        return f;
    }

    /** A new engine, as a new orchestrator process would build it: it shares only the ports, the platform and the application. */
    RollingUpgrade engine() {
        return engine(pair -> app);
    }

    /** An engine whose role controller is {@code roleControllers}' (to wrap the application's). */
    RollingUpgrade engine(dev.duplex.engine.role.RoleControllerSource roleControllers) {
        return engine(roleControllers, jobs);
    }

    /** An engine that reaches the jobs through {@code jobQueue} (to step in between its calls). */
    RollingUpgrade engine(dev.duplex.engine.role.RoleControllerSource roleControllers, dev.duplex.engine.job.JobQueue jobQueue) {
        return engine(roleControllers, jobQueue, driver);
    }

    /** An engine that reaches the platform through {@code platform} (a decorator of {@link #driver}). */
    RollingUpgrade engine(dev.duplex.api.HypervisorDriver platform) {
        return engine(pair -> app, jobs, platform);
    }

    private RollingUpgrade engine(dev.duplex.engine.role.RoleControllerSource roleControllers, dev.duplex.engine.job.JobQueue jobQueue,
            dev.duplex.api.HypervisorDriver platform) {
        UpgradeSettings settings = UpgradeSettings.defaults().withStaleAfter(Duration.ZERO)
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(200), Duration.ofMillis(1));
        return new RollingUpgrade(inventory, jobQueue, audit, endpoint -> {
            if (!endpoint.equals("lab")) {
                throw new IllegalArgumentException("no driver for " + endpoint);
            }
            return platform;
        }, roleControllers, settings);
    }

    UpgradeRequest request(UpgradeStrategy strategy) {
        return UpgradeRequest.of("kv", "v2", strategy, "tester@host");
    }

    VmInfo vmOf(String member) {
        return driver.describeVm(new VmRef(inventory.vm(member).orElseThrow().driverRef(), member));
    }

    VmRecord record(String member) {
        return inventory.vm(member).orElseThrow();
    }
}
