package dev.duplex.engine.upgrade;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.api.role.RoleController;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.testing.FakeAuditLog;
import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pairs kv00, kv01, ... on one in-memory endpoint "lab", each with members kvNN-0 (ACT) and
 * kvNN-1 (SBY) on image v1 and its own database volumes; image v2 registered ahead. The platform
 * records every moment a pair had no member running.
 */
final class FleetFixture {
    final FakeDriver driver = FakeDriver.withAll("none-");
    final FakeInventory inventory = new FakeInventory();
    final FakeJobQueue jobs = new FakeJobQueue();
    final FakeAuditLog audit = new FakeAuditLog();
    final Map<String, FakeRoleController> apps = new LinkedHashMap<>();
    final List<String> bothDown = new ArrayList<>();
    private final Watched platform = new Watched();

    FleetFixture(int pairs) {
        inventory.addEndpoint(new Endpoint("lab", "fake", "fake:///", Optional.empty(), Map.of()));
        ImageRef v1 = driver.addImage("v1", "1.0");
        ImageRef v2 = driver.addImage("v2", "2.0");
        inventory.addImage(new ImageRecord("v1", "lab", "1.0", v1.id()));
        inventory.addImage(new ImageRecord("v2", "lab", "2.0", v2.id()));
        for (int i = 0; i < pairs; i++) {
            String pair = String.format("kv%02d", i);
            for (int system = 0; system < 2; system++) {
                String member = pair + "-" + system;
                VolumeRef volume = driver.createVolume(new VolumeSpec("db-" + member, 1024, "database", Map.of()));
                driver.fill(volume, (byte) i);
                inventory.addVolume(new VolumeRecord("db-" + member, "lab", volume.id(), 1024, "database"));
                VmRef vm = driver.addRunningVm(member, v1, List.of(new VolumeLink(volume, "data", VolumeLink.Mode.MOUNT_AT_BOOT)));
                inventory.addVm(new VmRecord(member, "lab", vm.id(), "v1",
                        List.of(new LinkRecord("db-" + member, "data", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()));
            }
            inventory.addPair(new PairRecord(pair, pair + "-0", pair + "-1", 0, StandbyKind.HOT, Map.of("type", "fake"),
                    Map.of("timeout-ms", "500", "poll-ms", "1", "health-timeout-ms", "200")));
            apps.put(pair, new FakeRoleController(driver, pair + "-0", pair + "-1"));
        }
        inventory.forgetChanges();
    }

    List<String> pairs() {
        return List.copyOf(apps.keySet());
    }

    /** A new engine, as a new orchestrator process builds it, reaching the jobs through {@code jobQueue}. */
    RollingUpgrade engine(JobQueue jobQueue) {
        UpgradeSettings settings = UpgradeSettings.defaults().withNode("node-" + System.nanoTime())
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(200), Duration.ofMillis(1));
        if (jobQueue instanceof DyingJobQueue dying) {
            // A killed process's threads stop at their next call of any kind, the platform's and the
            // application's too: one mid-switchover must not switch a pair again beside its resumer.
            HypervisorDriver dyingPlatform = diesWith(dying, HypervisorDriver.class, platform);
            return new RollingUpgrade(inventory, jobQueue, audit, endpoint -> dyingPlatform,
                    pair -> diesWith(dying, RoleController.class, apps.get(pair.name())), settings);
        }
        return new RollingUpgrade(inventory, jobQueue, audit, endpoint -> platform, pair -> apps.get(pair.name()), settings);
    }

    private static <T> T diesWith(DyingJobQueue dying, Class<T> type, T target) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            dying.checkAlive();
            try {
                return method.invoke(target, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }

    String imageOf(String member) {
        return inventory.vm(member).orElseThrow().image();
    }

    VmState stateOf(String member) {
        return driver.describeVm(new VmRef(inventory.vm(member).orElseThrow().driverRef(), member)).state();
    }

    /** The fake platform, watching that a stop never leaves a pair with no member running. */
    private final class Watched implements dev.duplex.api.HypervisorDriver {
        @Override public String kind() { return driver.kind(); }
        @Override public Capabilities capabilities() { return driver.capabilities(); }
        @Override public ImageRef registerImage(ImageSpec spec) { return driver.registerImage(spec); }
        @Override public List<ImageInfo> listImages() { return driver.listImages(); }
        @Override public void deleteImage(ImageRef image) { driver.deleteImage(image); }
        @Override public VolumeRef createVolume(VolumeSpec spec) { return driver.createVolume(spec); }
        @Override public List<VolumeInfo> listVolumes() { return driver.listVolumes(); }
        @Override public void deleteVolume(VolumeRef volume) { driver.deleteVolume(volume); }
        @Override public VmRef createVm(VmSpec spec) { return driver.createVm(spec); }
        @Override public List<VmInfo> listVms() { return driver.listVms(); }
        @Override public VmInfo describeVm(VmRef vm) { return driver.describeVm(vm); }
        @Override public BootReport start(VmRef vm) { return driver.start(vm); }
        @Override public void deleteVm(VmRef vm) { driver.deleteVm(vm); }
        @Override public long copyVolume(VolumeRef from, VolumeRef to, dev.duplex.api.CopyProgress progress) { return driver.copyVolume(from, to, progress); }
        @Override public void close() {}

        @Override
        public void stop(VmRef vm, StopMode mode) {
            driver.stop(vm, mode);
            String pair = vm.name().substring(0, vm.name().indexOf('-')); // kv03-1 or a re-created kv03-1-j5
            boolean anyRunning = driver.listVms().stream()
                    .anyMatch(v -> v.vm().name().startsWith(pair + "-") && v.state() == VmState.RUNNING);
            if (!anyRunning) {
                synchronized (bothDown) {
                    bothDown.add(pair + " after stopping " + vm.name());
                }
            }
        }
    }
}
