package dev.duplex.driver.vmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.AuthenticationException;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What the contract kit does not check: logins, the zero-copy re-creation on vSphere's own terms, hostile input, timings. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmwareDriverTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private Vcsim vcsim;
    private HypervisorDriver driver;

    @TempDir
    Path dir;

    @BeforeAll
    void start() throws Exception {
        vcsim = Vcsim.start();
        driver = new VmwareDriverProvider().connect(config(vcsim.passwordFile(), Map.of("user", Vcsim.USER)));
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (vcsim != null) {
            vcsim.close();
        }
        System.out.println("vcsim timings per operation (" + run + "): " + timings);
    }

    private DriverConfig config(Path passwordFile, Map<String, String> properties) {
        return new DriverConfig("vcsim", vcsim.sdk().toString(), properties, Optional.of(passwordFile), Path.of("target", "vmware-work"));
    }

    @Test
    void aWrongPasswordIsOneLineWithoutThePassword() throws Exception {
        String wrong = "not-the-password-" + run;
        Path file = Files.createFile(dir.resolve("wrong"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, wrong + "\n");

        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> new VmwareDriverProvider().connect(config(file, Map.of("user", Vcsim.USER))));

        assertTrue(e.getMessage().contains("InvalidLogin") && e.getMessage().contains("vcsim") && e.getMessage().contains(Vcsim.USER),
                e.getMessage());
        assertFalse(e.getMessage().contains(wrong), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(wrong), "no cause carries the password: " + t);
        }
    }

    @Test
    void anUntrustedCertificateIsRefusedWithHowToTrustIt() throws Exception {
        try (Vcsim https = Vcsim.start(true)) {
            DriverConfig config = new DriverConfig("vcsim-tls", https.direct().toString(), Map.of("user", Vcsim.USER),
                    Optional.of(https.passwordFile()), Path.of("target", "vmware-work"));

            DriverException e = assertThrows(DriverException.class, () -> new VmwareDriverProvider().connect(config));

            assertTrue(e.getMessage().contains("not trusted") && e.getMessage().contains("truststore")
                    && e.getMessage().contains("vcsim-tls"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void aPasswordFileOthersCanReadIsRefused() throws Exception {
        Path file = Files.createFile(dir.resolve("shared"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        Files.writeString(file, "whatever\n");

        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> new VmwareDriverProvider().connect(config(file, Map.of("user", Vcsim.USER))));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void aVmReCreatedFromAnotherTemplateHasTheSameDiskAttached() {
        ImageRef v1 = timed("registerImage", () -> driver.registerImage(new ImageSpec("t1-" + run, "1.0", "blank", Map.of())));
        ImageRef v2 = driver.registerImage(new ImageSpec("t2-" + run, "2.0", "blank", Map.of()));
        VolumeRef db = timed("createVolume", () -> driver.createVolume(new VolumeSpec("db-" + run, 32L << 20, "database", Map.of())));
        VolumeLink link = new VolumeLink(db, "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT);
        VmRef first = timed("createVm (clone + attach)", () -> driver.createVm(new VmSpec("vm-" + run, v1, List.of(link), Map.of())));
        timed("start", () -> driver.start(first));
        assertEquals(VmState.RUNNING, timed("state", () -> driver.state(first)));
        timed("stop (graceful)", () -> {
            driver.stop(first, StopMode.GRACEFUL);
            return null;
        });
        timed("deleteVm (detach + destroy)", () -> {
            driver.deleteVm(first);
            return null;
        });
        assertTrue(driver.listVolumes().stream().anyMatch(v -> v.volume().equals(db) && v.sizeBytes() == 32L << 20),
                "the disk outlived its VM");

        VmRef second = driver.createVm(new VmSpec("vm2-" + run, v2, List.of(link), Map.of()));
        var info = timed("describeVm", () -> driver.describeVm(second));
        assertEquals(v2.id(), info.image().id());
        assertEquals(List.of(link), info.links(), "the same disk, attached to the new VM");

        VolumeRef copy = driver.createVolume(new VolumeSpec("copy-" + run, 32L << 20, "database", Map.of()));
        assertEquals(32L << 20, (long) timed("copyVolume", () -> driver.copyVolume(db, copy, (c, t) -> {})));
        timed("listVms", driver::listVms);
        timed("listVolumes", driver::listVolumes);

        assertThrows(ConflictException.class, () -> driver.deleteVolume(db), "still linked to the second VM");
        driver.deleteVm(second);
        timed("deleteVolume", () -> {
            driver.deleteVolume(db);
            return null;
        });
        driver.deleteVolume(copy);
        driver.deleteImage(v1);
        driver.deleteImage(v2);
    }

    @Test
    void hostileNamesAndIdsAreRefusedOrNotFound() {
        List<String> names = List.of("", " ", "../x", "a/b", "[datastore1] x", "x\ny", "x;rm -rf /", "-leading", "a".repeat(81),
                "name with space", "x\u0000y", "%2e%2e");
        int refused = 0;
        for (String name : names) {
            assertThrows(InvalidSpecException.class, () -> driver.createVolume(new VolumeSpec(name, 1 << 20, "database", Map.of())),
                    "volume name " + name);
            assertThrows(InvalidSpecException.class, () -> driver.registerImage(new ImageSpec(name, "1", "blank", Map.of())),
                    "image name " + name);
            refused += 2;
        }
        List<String> ids = List.of("[datastore1] duplex-volumes/../x.vmdk", "[datastore1] duplex-volumes/a/b.vmdk",
                "[other] duplex-volumes/x.vmdk", "/etc/passwd", "[datastore1] duplex-volumes/.vmdk", "vm-1'or'1");
        for (String id : ids) {
            ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> driver.deleteVolume(new VolumeRef(id, "x")), id);
            assertTrue(e.getMessage().contains(id), e.getMessage());
            assertThrows(ObjectNotFoundException.class, () -> driver.describeVm(new VmRef(id, "x")), id);
            assertThrows(ObjectNotFoundException.class, () -> driver.deleteImage(new ImageRef(id, "x")), id);
            refused += 3;
        }
        assertThrows(InvalidSpecException.class, () -> new VmwareDriverProvider().connect(new DriverConfig("vcsim",
                "http://duplex:secret@127.0.0.1:1/sdk", Map.of("user", "duplex"), Optional.of(vcsim.passwordFile()), Path.of("target"))));
        DriverException wrongUri = assertThrows(InvalidSpecException.class, () -> new VmwareDriverProvider().connect(new DriverConfig(
                "vcsim", "http://duplex:secret@127.0.0.1:1/sdk", Map.of("user", "duplex"), Optional.of(vcsim.passwordFile()), Path.of("target"))));
        assertFalse(wrongUri.getMessage().contains("secret"), wrongUri.getMessage());
        System.out.println("hostile inputs refused: " + (refused + 2));
    }

    private <T> T timed(String operation, Supplier<T> call) {
        long t = System.nanoTime();
        T result = call.get();
        timings.put(operation, Duration.ofNanos(System.nanoTime() - t));
        return result;
    }
}
