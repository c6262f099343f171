package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.UnreachableException;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The driver on our own node file ({@code test:///<path>}: a "duplex" directory pool with a
 * fixed uuid), and the errors a user sees for bad input, each naming the object.
 */
class KvmTestNodeFileTest {
    private final KvmDriverProvider provider = new KvmDriverProvider();

    static String nodeUri() {
        try {
            return "test://" + Path.of(KvmTestNodeFileTest.class.getResource("/test-node.xml").toURI()).toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DriverConfig config(String uri, Map<String, String> properties) {
        return new DriverConfig("node-file", uri, properties, Optional.empty(), Path.of("target", "kvm-work"));
    }

    @Test
    void worksOnItsOwnPoolAndKeepsLinksInTheDomain() {
        try (HypervisorDriver driver = provider.connect(config(nodeUri(), Map.of()))) {
            VolumeRef db = driver.createVolume(new VolumeSpec("db", 1 << 20, "database", Map.of()));
            assertEquals("/duplex-test-pool/db.database.raw", db.id(), "a dir pool volume's key is its path");
            ImageRef image = driver.registerImage(new ImageSpec("sip", "v1", "/images/sip-v1", Map.of("cmdline", "console=ttyS0")));
            VolumeLink link = new VolumeLink(db, "vdb", VolumeLink.Mode.MOUNT_AT_BOOT);
            VmRef vm = driver.createVm(new VmSpec("sip-a", image, List.of(link), Map.of("memory-mib", "64")));
            assertEquals(List.of(link), driver.describeVm(vm).links());

            ConflictException taken = assertThrows(ConflictException.class,
                    () -> driver.createVm(new VmSpec("sip-a", image, List.of(), Map.of())));
            assertTrue(taken.getMessage().contains("sip-a"), taken.getMessage());
            ConflictException linked = assertThrows(ConflictException.class, () -> driver.deleteVolume(db));
            assertTrue(linked.getMessage().contains("sip-a"), linked.getMessage());
        }
        // Each connection to test:///<file> gets its own fresh copy of the file.
        try (HypervisorDriver again = provider.connect(config(nodeUri(), Map.of()))) {
            assertTrue(again.listVms().isEmpty(), "a node file's state is private to its connection");
        }
    }

    @Test
    void diskImageVmsBootFromTheirOwnOverlay() {
        try (HypervisorDriver driver = provider.connect(config(nodeUri(), Map.of()))) {
            VolumeRef base = driver.createVolume(new VolumeSpec("debian", 1 << 30, "os", Map.of("format", "qcow2")));
            ImageRef image = driver.registerImage(new ImageSpec("appliance", "v3", "volume:" + base.id(), Map.of()));
            VolumeRef db = driver.createVolume(new VolumeSpec("db3", 1 << 20, "database", Map.of()));
            InvalidSpecException onBootDisk = assertThrows(InvalidSpecException.class, () -> driver.createVm(new VmSpec("a", image,
                    List.of(new VolumeLink(db, "vda", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of())));
            assertTrue(onBootDisk.getMessage().contains("boot disk"), onBootDisk.getMessage());

            VmRef vm = driver.createVm(new VmSpec("a", image, List.of(new VolumeLink(db, "vdb", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()));
            KvmDriver kvm = (KvmDriver) driver;
            var disks = kvm.persistentXml(vm).disks();
            assertEquals(List.of("vda", "vdb"), disks.stream().map(DomainDocument.Disk::target).toList());
            assertEquals("a.vm-disk.qcow2", disks.get(0).volume(), "the VM's own overlay");
            ConflictException used = assertThrows(ConflictException.class, () -> driver.deleteVolume(base));
            assertTrue(used.getMessage().contains("appliance"), used.getMessage());

            driver.deleteVm(vm);
            driver.deleteImage(image);
            driver.deleteVolume(base);
            assertTrue(driver.listVolumes().stream().anyMatch(v -> v.volume().equals(db)), "the linked volume is kept");
        }
    }

    @Test
    void missingPoolIsOneClearLine() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> provider.connect(config(nodeUri(), Map.of("pool", "nope"))));
        assertEquals("Storage pool 'nope' does not exist on endpoint 'node-file': create it (virsh pool-define-as nope dir"
                + " --target PATH) or set the endpoint property pool-path", e.getMessage());
    }

    @Test
    void missingPoolIsCreatedWithPoolPath() {
        try (HypervisorDriver driver = provider.connect(config(nodeUri(), Map.of("pool", "made", "pool-path", "/made-pool")))) {
            VolumeRef v = driver.createVolume(new VolumeSpec("v", 4096, "scratch", Map.of("format", "qcow2")));
            assertEquals("/made-pool/v.scratch.qcow2", v.id());
        }
    }

    @Test
    void unreachableUriIsRedactedAndRetryable() {
        UnreachableException e = assertThrows(UnreachableException.class, () -> provider.connect(
                config("qemu+unix:///session?socket=/nonexistent/sock&password=hunter2", Map.of())));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().startsWith("Could not connect to endpoint 'node-file' at qemu+unix:///session?socket="
                + "/nonexistent/sock&password=***"), e.getMessage());
        assertTrue(e.retryable());
    }

    @Test
    void unknownObjectsAndBadInputNameTheObject() {
        try (HypervisorDriver driver = provider.connect(config(nodeUri(), Map.of()))) {
            var missing = new VmRef("0c6d7d1e-0000-4000-8000-000000000001", "ghost");
            ObjectNotFoundException nf = assertThrows(ObjectNotFoundException.class, () -> driver.describeVm(missing));
            assertEquals("vm 'ghost (0c6d7d1e-0000-4000-8000-000000000001)' not found", nf.getMessage());
            assertTrue(nf.getCause().getMessage().contains("Domain not found") || nf.getCause() != null);

            ImageRef image = driver.registerImage(new ImageSpec("i", "v1", "/images/i", Map.of()));
            VolumeRef db = driver.createVolume(new VolumeSpec("db2", 1 << 20, "database", Map.of()));
            InvalidSpecException badPath = assertThrows(InvalidSpecException.class, () -> driver.createVm(new VmSpec("x", image,
                    List.of(new VolumeLink(db, "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of())));
            assertTrue(badPath.getMessage().contains("var/lib/db"), badPath.getMessage());
            InvalidSpecException badFormat = assertThrows(InvalidSpecException.class,
                    () -> driver.createVolume(new VolumeSpec("v", 1, "database", Map.of("format", "vmdk"))));
            assertTrue(badFormat.getMessage().contains("vmdk"), badFormat.getMessage());
            InvalidSpecException rejected = assertThrows(InvalidSpecException.class, () -> driver.registerImage(
                    new ImageSpec("bad name with spaces", "v1", "/images/i", Map.of())));
            assertTrue(rejected.getMessage().contains("bad name with spaces"), rejected.getMessage());
        }
    }
}
