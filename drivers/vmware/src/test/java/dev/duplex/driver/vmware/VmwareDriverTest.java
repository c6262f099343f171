package dev.duplex.driver.vmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.AuthenticationException;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
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

    @Test
    void settingsIsTheVmsNvramFileAndConfigurationStaysInExtraConfig() {
        ImageRef image = driver.registerImage(new ImageSpec("nv-" + run, "1.0", "blank", Map.of()));
        VmRef vm = driver.createVm(new VmSpec("nv-vm-" + run, image, List.of(), Map.of()));
        VcsimDatastoreFile nvram = new VcsimDatastoreFile(vcsim.direct(), "nv-vm-" + run + "/nv-vm-" + run + ".nvram");
        assertEquals(Optional.of(0), nvram.read().map(b -> b.length), "vcsim makes an empty nvram file at creation");
        assertEquals(List.of(), driver.environment(vm).read().items(), "an empty nvram file is no settings yet");
        assertEquals("[LocalDS_0] nv-vm-" + run + "/nv-vm-" + run + ".nvram", ((VmwareDriver) driver).environmentPlace(vm).nvram().toString());

        byte[] firmware = new byte[40_000];
        new java.util.Random(13).nextBytes(firmware);
        byte[] configuration = "role=standby".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        timed("environment write (nvram + extraConfig)", () -> {
            driver.environment(vm).write(new EnvironmentUpdate(0, 2, List.of(new ItemChange.Replace(new EnvironmentItem("settings", firmware)),
                    new ItemChange.Replace(new EnvironmentItem("configuration", configuration)))));
            return null;
        });

        assertArrayEquals(firmware, nvram.read().orElseThrow(), "settings is the nvram file, byte for byte");
        Map<String, String> extra = ((VmwareDriver) driver).extraConfigOf(vm);
        assertFalse(extra.containsKey("duplex.env.item.settings"), "settings is not in extraConfig: " + extra.keySet());
        assertEquals(java.util.Base64.getEncoder().encodeToString(configuration), extra.get("duplex.env.item.configuration"));
        EnvironmentSnapshot read = timed("environment read (nvram + extraConfig)", () -> driver.environment(vm).read());
        assertEquals(2, read.revision());
        assertArrayEquals(firmware, read.item("settings").orElseThrow().content());

        // What the VM's firmware wrote itself is what the store reads.
        byte[] written = "written by the firmware".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        nvram.write(written);
        assertArrayEquals(written, driver.environment(vm).read().item("settings").orElseThrow().content());

        driver.start(vm);
        ConflictException running = assertThrows(ConflictException.class, () -> driver.environment(vm).write(new EnvironmentUpdate(2, 3,
                List.of(new ItemChange.Replace(new EnvironmentItem("settings", firmware))))));
        assertTrue(running.getMessage().contains("stop it first"), running.getMessage());
        assertArrayEquals(written, nvram.read().orElseThrow(), "a refused write leaves the nvram file alone");
        assertEquals(2, driver.environment(vm).read().revision());
        driver.stop(vm, StopMode.FORCE);

        driver.environment(vm).write(new EnvironmentUpdate(2, 3, List.of(new ItemChange.Remove("settings"))));
        assertEquals(Optional.empty(), driver.environment(vm).read().item("settings"));
        assertEquals(Optional.empty(), nvram.read(), "no settings: the nvram file is gone, vSphere makes a fresh one at power-on");
        assertThrows(InvalidSpecException.class, () -> driver.environment(vm).write(new EnvironmentUpdate(3, 4,
                List.of(new ItemChange.Replace(new EnvironmentItem("settings", new byte[0]))))), "an empty nvram file");
        driver.deleteVm(vm);
        driver.deleteImage(image);
    }

    @Test
    void anNvramSettingWithSpacesAndUnicodeIsFollowedAndOneLeavingTheFolderIsRefused() {
        ImageRef image = driver.registerImage(new ImageSpec("ns-" + run, "1.0", "blank", Map.of()));
        VmRef vm = driver.createVm(new VmSpec("ns-vm-" + run, image, List.of(), Map.of()));
        String awkward = "nv räm (1) 設定 #?&%.nvram";
        setNvramOption(vm, awkward);
        byte[] firmware = "firmware vars".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        driver.environment(vm).write(new EnvironmentUpdate(0, 1, List.of(new ItemChange.Replace(new EnvironmentItem("settings", firmware)))));
        String encoded = "ns-vm-" + run + "/" + java.net.URLEncoder.encode(awkward, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        assertArrayEquals(firmware, new VcsimDatastoreFile(vcsim.direct(), encoded).read().orElseThrow(), "written to the file the setting names");
        assertArrayEquals(firmware, driver.environment(vm).read().item("settings").orElseThrow().content());

        List<String> hostile = List.of("../evil.nvram", "..", "a/../../evil.nvram", "[LocalDS_0] ../evil.nvram", "x\\..\\evil.nvram",
                "e".repeat(DatastorePath.MAX_LENGTH) + ".nvram", "[LocalDS_0]evil.nvram");
        for (String setting : hostile) {
            setNvramOption(vm, setting);
            PlatformException read = assertThrows(PlatformException.class, () -> driver.environment(vm).read(), setting);
            assertFalse(read.getMessage().contains("\n"), read.getMessage());
            assertTrue(read.getMessage().contains("ns-vm-" + run), read.getMessage());
            assertThrows(PlatformException.class, () -> driver.environment(vm).write(new EnvironmentUpdate(1, 2,
                    List.of(new ItemChange.Replace(new EnvironmentItem("settings", new byte[] {1}))))), setting);
        }
        assertEquals(Optional.empty(), new VcsimDatastoreFile(vcsim.direct(), "evil.nvram").read(), "nothing written outside the VM's folder");
        setNvramOption(vm, awkward);
        assertEquals(1, driver.environment(vm).read().revision(), "the refused writes changed nothing");
        System.out.println("hostile nvram settings refused: " + hostile.size() * 2);
        driver.deleteVm(vm);
        driver.deleteImage(image);
    }

    /** The VM's {@code nvram} option, as someone with vSphere access could set it. */
    private void setNvramOption(VmRef vm, String value) {
        VmwareDriver vmware = (VmwareDriver) driver;
        com.vmware.vim25.VirtualMachineConfigSpec spec = new com.vmware.vim25.VirtualMachineConfigSpec();
        spec.setExtraConfig(new com.vmware.vim25.OptionValue[] {VmwareDriver.option("nvram", value)});
        vmware.reconfigure(vm, currentChangeVersion(vm), spec, "set the nvram option of");
    }

    private String currentChangeVersion(VmRef vm) {
        try {
            return ((VmwareDriver) driver).environmentPlace(vm).changeVersion();
        } catch (PlatformException unreadable) {
            return null; // a hostile setting makes the place unreadable; no version check needed for the test's own change
        }
    }

    @Test
    void hotAttachAndDetachOnARunningVmTouchOnlyTheNamedDisk() {
        ImageRef image = driver.registerImage(new ImageSpec("ha-" + run, "1.0", "blank", Map.of()));
        VolumeRef kept = driver.createVolume(new VolumeSpec("ha-kept-" + run, 8L << 20, "database", Map.of()));
        VolumeRef hot = driver.createVolume(new VolumeSpec("ha-hot-" + run, 8L << 20, "database", Map.of()));
        VolumeLink keptLink = new VolumeLink(kept, "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT);
        VmRef vm = driver.createVm(new VmSpec("ha-vm-" + run, image, List.of(keptLink), Map.of()));
        driver.start(vm);
        VolumeLink hotLink = new VolumeLink(hot, "var/lib/extra", VolumeLink.Mode.MOUNT_AT_BOOT);

        timed("attachVolume (hot, ReconfigVM add)", () -> {
            driver.attachVolume(vm, hotLink);
            return null;
        });
        assertEquals(List.of(keptLink, hotLink), driver.describeVm(vm).links());
        assertEquals(VmState.RUNNING, driver.state(vm), "attached while running");
        assertThrows(ConflictException.class, () -> driver.attachVolume(vm, hotLink), "attached twice");
        assertThrows(InvalidSpecException.class, () -> driver.attachVolume(vm, new VolumeLink(hot, "x", VolumeLink.Mode.COPY_AT_BOOT)));

        // Hostile volume ids: refused as unknown, nothing attached or detached.
        List<String> ids = List.of("[LocalDS_0] duplex-volumes/../ha-hot-" + run + ".vmdk", "[LocalDS_0] duplex-volumes/ha hot.vmdk",
                "[LocalDS_0] duplex-volumes/ünï.vmdk", "[LocalDS_0] duplex-volumes/" + "a".repeat(300) + ".vmdk",
                "[LocalDS_0] ../../etc/passwd", "[LocalDS_0] duplex-volumes/x.vmdk?dsName=other");
        for (String id : ids) {
            assertThrows(ObjectNotFoundException.class, () -> driver.attachVolume(vm, new VolumeLink(new VolumeRef(id, "x"), "y",
                    VolumeLink.Mode.MOUNT_AT_BOOT)), id);
            assertThrows(ObjectNotFoundException.class, () -> driver.detachVolume(vm, new VolumeRef(id, "x")), id);
        }
        assertEquals(List.of(keptLink, hotLink), driver.describeVm(vm).links(), "hostile ids changed nothing");
        System.out.println("hostile hot-attach volume ids refused: " + ids.size() * 2);

        timed("detachVolume (hot, ReconfigVM remove)", () -> {
            driver.detachVolume(vm, hot);
            return null;
        });
        assertEquals(List.of(keptLink), driver.describeVm(vm).links(), "only the named disk left");
        assertThrows(ConflictException.class, () -> driver.detachVolume(vm, hot), "not attached any more");
        driver.stop(vm, StopMode.FORCE);
        driver.deleteVm(vm);
        assertTrue(driver.listVolumes().stream().anyMatch(v -> v.volume().equals(hot)), "a detached disk stays");
        driver.deleteVolume(hot);
        driver.deleteVolume(kept);
        driver.deleteImage(image);
    }

    @Test
    void copyAtBootCopiesInAtStartAndSavesBackAtStop() {
        VcsimVolumeProbe probe = new VcsimVolumeProbe(vcsim.direct(), 4L << 20);
        ImageRef image = driver.registerImage(new ImageSpec("cb-" + run, "1.0", "blank", Map.of()));
        VolumeRef db = driver.createVolume(new VolumeSpec("cb-db-" + run, 4L << 20, "database", Map.of()));
        probe.writeMarker(db, "before");
        VmRef vm = driver.createVm(new VmSpec("cb-vm-" + run, image, List.of(new VolumeLink(db, "var/lib/db", VolumeLink.Mode.COPY_AT_BOOT)),
                Map.of()));
        String copy = "[LocalDS_0] cb-vm-" + run + "/duplex-copy-0.vmdk";

        var boot = timed("start with copy at boot (4 MiB)", () -> driver.start(vm));
        assertEquals(4L << 20, boot.bytesCopied());
        assertEquals(Optional.of("before"), probe.readMarker(copy), "the volume was copied in");
        probe.writeMarker(copy, "written by the guest");
        timed("stop with write back (4 MiB)", () -> {
            driver.stop(vm, StopMode.FORCE);
            return null;
        });
        assertEquals(Optional.of("written by the guest"), probe.readMarker(db), "saved back at stop");

        // A run that ends without Duplex's stop (the guest powers off): its copy is saved before the next boot copies in.
        driver.start(vm);
        probe.writeMarker(copy, "second run");
        powerOffBehindDuplex(vm);
        assertEquals(Optional.of("written by the guest"), probe.readMarker(db), "not saved yet");
        driver.start(vm);
        assertEquals(Optional.of("second run"), probe.readMarker(db), "saved back before the boot copied in");
        assertEquals(Optional.of("second run"), probe.readMarker(copy));
        assertThrows(ConflictException.class, () -> driver.deleteVolume(db), "a copy-at-boot link holds the volume too");
        driver.stop(vm, StopMode.FORCE);
        driver.deleteVm(vm);
        assertEquals(Optional.of("second run"), probe.readMarker(db), "the volume outlives the VM and its copy");
        driver.deleteVolume(db);
        driver.deleteImage(image);
    }

    /** As a guest that powers itself off would: through a session of its own, not through the driver. */
    private void powerOffBehindDuplex(VmRef vm) {
        try {
            String password = Files.readString(vcsim.passwordFile()).strip();
            com.vmware.vim25.mo.ServiceInstance session = new com.vmware.vim25.mo.ServiceInstance(vcsim.sdk().toURL(), Vcsim.USER, password, true);
            try {
                com.vmware.vim25.ManagedObjectReference ref = new com.vmware.vim25.ManagedObjectReference();
                ref.setType("VirtualMachine");
                ref.setVal(vm.id());
                com.vmware.vim25.mo.Task task = new com.vmware.vim25.mo.VirtualMachine(session.getServerConnection(), ref).powerOffVM_Task();
                assertEquals(com.vmware.vim25.mo.Task.SUCCESS, task.waitForTask());
            } finally {
                session.getServerConnection().logout();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot power " + vm + " off behind Duplex", e);
        }
    }

    private <T> T timed(String operation, Supplier<T> call) {
        long t = System.nanoTime();
        T result = call.get();
        timings.put(operation, Duration.ofNanos(System.nanoTime() - t));
        return result;
    }
}
