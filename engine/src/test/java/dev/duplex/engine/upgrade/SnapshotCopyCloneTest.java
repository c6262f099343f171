package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.CopyProgress;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VolumeCopy;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.job.JobState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code snapshot-copy} copies with the driver's {@code cloneVolume}: on a platform that clones on
 * the storage side (a Cinder clone) and cannot fill an existing volume, and around a copy volume
 * an earlier run left behind.
 */
class SnapshotCopyCloneTest {
    /** The fake platform as a Cinder-like one: a clone gets an id of its own, a copy into an existing volume is refused. */
    private static HypervisorDriver cloneOnly(FakeDriver fake) {
        return (HypervisorDriver) Proxy.newProxyInstance(HypervisorDriver.class.getClassLoader(), new Class<?>[] {HypervisorDriver.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "copyVolume" -> throw new UnsupportedOperationDriverException("fake", "copying into an existing volume");
                        case "cloneVolume" -> {
                            VolumeRef from = (VolumeRef) args[0];
                            VolumeRef clone = fake.createVolume((VolumeSpec) args[1]);
                            fake.copyVolume(from, clone, CopyProgress.NONE);
                            return new VolumeCopy(clone, 0);
                        }
                        default -> {
                            try {
                                return method.invoke(fake, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                    }
                });
    }

    @Test
    void aPlatformThatOnlyClonesRunsSnapshotCopyAndTheInventoryRecordsTheClonesIds() {
        PairFixture f = new PairFixture();

        UpgradeReport report = f.engine(cloneOnly(f.driver)).run(f.request(UpgradeStrategy.SNAPSHOT_COPY), UpgradeListener.NONE);

        assertEquals(JobState.SUCCEEDED, report.state(), () -> report.error().orElse(""));
        String clone0 = f.inventory.volume("db-0-j1").orElseThrow().driverRef();
        assertNotEquals(f.volume0.id(), clone0);
        assertEquals(clone0, f.vmOf("kv-0").links().get(0).volume().id(), "kv-0's new VM links the clone the inventory records");
        assertArrayEquals(f.db0, f.driver.content(clone0));
        assertArrayEquals(f.db0, f.driver.content(f.volume0.id()), "the original is untouched");
        assertEquals(0, report.bytesCopied(), "a storage-side clone reports no bytes");
        assertTrue(f.driver.deletedVolumes().isEmpty());
    }

    @Test
    void aCopyVolumeAnEarlierRunLeftUnrecordedIsRefusedNotReusedNorDeleted() {
        PairFixture f = new PairFixture();
        // A run that died while cloning db-1 left its copy on the platform, not yet in the inventory.
        VolumeRef leftover = f.driver.createVolume(new VolumeSpec("db-1-j1", PairFixture.DB_SIZE, "database", Map.of()));

        UpgradeReport report = f.engine().run(f.request(UpgradeStrategy.SNAPSHOT_COPY), UpgradeListener.NONE);

        assertNotEquals(JobState.SUCCEEDED, report.state());
        String error = report.error().orElse("");
        assertTrue(error.contains(leftover.id()) && error.contains("may be incomplete") && error.contains("resume job #1"), error);
        assertTrue(f.driver.listVolumes().stream().anyMatch(v -> v.volume().equals(leftover)), "the leftover is kept");
        assertTrue(f.driver.deletedVolumes().isEmpty(), "no volume deleted: " + f.driver.deletedVolumes());
        assertArrayEquals(f.db1, f.driver.content(f.volume1.id()), "the original is untouched");
        assertTrue(f.inventory.volume("db-1-j1").isEmpty(), "the leftover is not recorded as a good copy");
    }
}
