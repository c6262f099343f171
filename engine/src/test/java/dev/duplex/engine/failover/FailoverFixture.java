package dev.duplex.engine.failover;

import dev.duplex.engine.testing.FakeInventory;
import dev.duplex.engine.testing.FakeJobQueue;
import dev.duplex.engine.testing.FakeAuditLog;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.VmState;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A cold-standby pair {@code kv}: {@code kv-0} (driver id {@code id-0}) active and running,
 * {@code kv-1} ({@code id-1}) off, its environment at revision 1: a 64 KiB {@code settings} item
 * and a small {@code configuration}.
 */
final class FailoverFixture {
    final FakeInventory inventory = new FakeInventory();
    final FakeArchive archive = new FakeArchive();
    final FakeJobQueue jobs = new FakeJobQueue();
    final FakeAuditLog audit = new FakeAuditLog();
    final FakeDriver driver = new FakeDriver();
    final EndpointDrivers drivers = endpoint -> driver;
    final FakeApplication app = new FakeApplication(driver);
    final EnvironmentSnapshot standbyInfo;
    Duration staleAfter = Failover.STALE_AFTER;

    FailoverFixture() {
        inventory.addEndpoint(new Endpoint("lab", "fake", "fake:", Optional.empty(), Map.of()));
        inventory.addVm(new VmRecord("kv-0", "lab", "id-0", "kv-1.0", List.of(), Map.of()));
        inventory.addVm(new VmRecord("kv-1", "lab", "id-1", "kv-1.0", List.of(), Map.of()));
        inventory.addPair(new PairRecord("kv", "kv-0", "kv-1", 0, StandbyKind.COLD, Map.of(), Map.of()));
        byte[] settings = new byte[64 * 1024];
        new Random(7).nextBytes(settings);
        standbyInfo = new EnvironmentSnapshot(1, List.of(new EnvironmentItem("settings", settings),
                new EnvironmentItem("configuration", "port=7000\nrole=standby\n".getBytes())));
        driver.addVm("id-0", VmState.RUNNING, standbyInfo);
        driver.addVm("id-1", VmState.STOPPED, standbyInfo);
    }

    /** Revision {@code revision} of the active's info: the standby's with {@code changedBytes} bytes of settings flipped, spread out. */
    EnvironmentSnapshot activeInfo(long revision, int changedBytes) {
        byte[] settings = standbyInfo.item("settings").orElseThrow().content();
        int step = Math.max(1, settings.length / Math.max(1, changedBytes));
        for (int i = 0, changed = 0; i < settings.length && changed < changedBytes; i += step, changed++) {
            settings[i] ^= (byte) 0x5a;
        }
        return new EnvironmentSnapshot(revision, List.of(new EnvironmentItem("settings", settings),
                new EnvironmentItem("configuration", "port=7000\nrole=active\n".getBytes())));
    }

    EnvironmentPush push() {
        return new EnvironmentPush(inventory, archive, drivers);
    }

    Failover failover() {
        return failover(new Fence(drivers, Duration.ofMillis(200), Duration.ofMillis(5), System::nanoTime));
    }

    Failover failover(Fence fence) {
        return new Failover(inventory, archive, jobs, audit, drivers, pair -> app, fence, new EnvironmentSync(), "node-a",
                staleAfter, Duration.ofMillis(500), Clock.systemUTC(), System::nanoTime);
    }

    static boolean sameItems(EnvironmentSnapshot a, EnvironmentSnapshot b) {
        return a.revision() == b.revision() && a.items().size() == b.items().size()
                && a.items().stream().allMatch(i -> b.item(i.name()).map(o -> Arrays.equals(o.content(), i.content())).orElse(false));
    }
}
