package dev.duplex.driver.local;

import static dev.duplex.driver.local.LocalVms.await;
import static dev.duplex.driver.local.LocalVms.contains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a VM writes to its copy-at-boot copy is saved back to the volume once the VM is gone. */
class CopyAtBootWriteBackTest {
    /** Counts its boots in the copy: what the last run wrote is what the next one reads. */
    private static final String COUNT_BOOTS = "n=$(cat db/boots 2>/dev/null || echo 0); echo $((n + 1)) > db/boots;"
            + " echo booted; " + TestImages.RUN_FOREVER;

    @TempDir
    Path temp;

    private LocalVms local;
    private HypervisorDriver driver;

    @BeforeEach
    void endpoint() {
        local = new LocalVms(temp);
        driver = local.driver(Map.of("stop-grace-ms", "300"));
    }

    @AfterEach
    void stopEverything() {
        local.close();
    }

    private VolumeRef volume(String name) {
        return driver.createVolume(new VolumeSpec(name, 1 << 20, "database", Map.of()));
    }

    private VmRef copyingVm(VolumeRef volume, String command) {
        ImageRef image = local.image(driver, "image-" + volume.name(), command);
        return local.vm(driver, image, List.of(new VolumeLink(volume, "db", VolumeLink.Mode.COPY_AT_BOOT)), Map.of());
    }

    @Test
    void whatTheVmWroteIsInTheVolumeAfterStopAndInItsCopyAtTheNextBoot() throws Exception {
        VolumeRef volume = volume("db");
        Path data = local.volumeData(volume);
        Files.writeString(data.resolve("tables"), "alice,bob");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        VmRef vm = copyingVm(volume, COUNT_BOOTS);
        Path copy = local.folder(vm).root().resolve("db");

        driver.start(vm);
        await("the VM counted its first boot", () -> contains(copy.resolve("boots"), "1"));
        Files.writeString(copy.resolve("note"), "written into the copy");
        assertFalse(Files.exists(data.resolve("note")), "control: while the VM runs, the volume has not got it");
        driver.stop(vm, StopMode.GRACEFUL);

        assertEquals("written into the copy", Files.readString(data.resolve("note")), "saved back at stop");
        assertEquals("1\n", Files.readString(data.resolve("boots")));
        assertEquals("alice,bob", Files.readString(data.resolve("tables")), "what the VM did not touch stays");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)),
                "the volume's folder keeps its mode");
        assertEquals(List.of("data", "volume.properties"), names(data.getParent()), "no staging folder is left");

        driver.start(vm);
        await("the VM counted its second boot", () -> contains(copy.resolve("boots"), "2"));
        assertEquals("written into the copy", Files.readString(copy.resolve("note")), "the next boot copies it back in");
        driver.stop(vm, StopMode.FORCE);
        assertEquals("2\n", Files.readString(data.resolve("boots")), "a forced stop saves back too");
    }

    @Test
    void aCrashedVmsWritesAreSavedBeforeTheNextBootCopiesOverThem() throws Exception {
        VolumeRef volume = volume("db");
        VmRef vm = copyingVm(volume, COUNT_BOOTS);
        Path copy = local.folder(vm).root().resolve("db");
        driver.start(vm);
        await("the VM counted its first boot", () -> contains(copy.resolve("boots"), "1"));
        Files.writeString(copy.resolve("note"), "written before the crash");
        VmProcess process = local.folder(vm).process().orElseThrow();
        process.signalGroup("KILL"); // a crash: nobody asked it to stop
        await("the VM is seen crashed", () -> driver.state(vm) == VmState.CRASHED);

        driver.start(vm);

        await("the VM counted its second boot", () -> contains(copy.resolve("boots"), "2"));
        assertEquals("written before the crash", Files.readString(copy.resolve("note")));
        assertEquals("written before the crash", Files.readString(local.volumeData(volume).resolve("note")));
    }

    @Test
    void deletingACrashedVmSavesItsCopyFirst() throws Exception {
        VolumeRef volume = volume("db");
        VmRef vm = copyingVm(volume, "echo last-words > db/note; sleep 1; exit 1");
        driver.start(vm);
        await("the VM is seen crashed", () -> driver.state(vm) == VmState.CRASHED);

        driver.deleteVm(vm);

        assertEquals("last-words\n", Files.readString(local.volumeData(volume).resolve("note")));
    }

    @Test
    void aSwapCutShortByACrashLeavesTheOldOrTheNewContentNeverAMix() throws Exception {
        VolumeRef volume = volume("db");
        VolumeFolder folder = new VolumeFolder(local.state().resolve("volumes").resolve(volume.id()));
        Files.writeString(folder.data().resolve("file"), "old");

        // Cut after the old content was moved aside, before the complete new one was moved in.
        Files.move(folder.data(), folder.folder().resolve(".old-1"));
        Files.createDirectories(folder.folder().resolve(".saved-1"));
        Files.writeString(folder.folder().resolve(".saved-1").resolve("file"), "new");
        CopyWriteBack.recover(folder);
        assertEquals("new", Files.readString(folder.data().resolve("file")), "a complete new content is moved in");
        assertEquals(List.of("data", "volume.properties"), names(folder.folder()));

        // Cut while staging: the staged half is no content at all.
        Files.createDirectories(folder.folder().resolve(".writeback-2"));
        Files.writeString(folder.folder().resolve(".writeback-2").resolve("file"), "ha");
        CopyWriteBack.recover(folder);
        assertEquals("new", Files.readString(folder.data().resolve("file")));
        assertEquals(List.of("data", "volume.properties"), names(folder.folder()));

        // Cut after the old content was moved aside, before the staged one was complete: the old one comes back.
        Files.move(folder.data(), folder.folder().resolve(".old-3"));
        Files.createDirectories(folder.folder().resolve(".writeback-3"));
        CopyWriteBack.recover(folder);
        assertEquals("new", Files.readString(folder.data().resolve("file")), "the old content (of the last swap) is back");
        assertEquals(List.of("data", "volume.properties"), names(folder.folder()));
    }

    @Test
    void aCopyTheVmReplacedWithALinkIsNotFollowedBack() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("host-secrets"));
        Files.writeString(outside.resolve("shadow"), "root:secret");
        VolumeRef volume = volume("db");
        Path data = local.volumeData(volume);
        Files.writeString(data.resolve("tables"), "alice,bob");
        VmRef vm = copyingVm(volume, "rm -rf db && ln -s '" + outside + "' db && echo replaced; " + TestImages.RUN_FOREVER);
        driver.start(vm);
        await("the VM replaced its copy", () -> contains(local.folder(vm).console(), "replaced"));

        DriverException refused = assertThrows(DriverException.class, () -> driver.stop(vm, StopMode.FORCE));

        assertTrue(refused.getMessage().contains("'db'") && refused.getMessage().contains("no longer a real folder")
                && refused.getMessage().contains("copies-unsaved"), refused.getMessage());
        assertEquals(VmState.STOPPED, driver.state(vm), "the VM is stopped all the same");
        assertEquals(List.of("tables"), names(data), "the volume is left as it was, nothing of the link's target in it");
        assertEquals("root:secret", Files.readString(outside.resolve("shadow")));
    }

    @Test
    void aLinkTheVmPutInItsCopyIsSavedAsALinkNotAsWhatItPointsAt() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("host-secrets"));
        Files.writeString(outside.resolve("shadow"), "root:secret");
        VolumeRef volume = volume("db");
        VmRef vm = copyingVm(volume, "ln -s '" + outside.resolve("shadow") + "' db/shadow && echo linked; "
                + TestImages.RUN_FOREVER);
        driver.start(vm);
        await("the VM made its link", () -> contains(local.folder(vm).console(), "linked"));

        driver.stop(vm, StopMode.FORCE);

        Path saved = local.volumeData(volume).resolve("shadow");
        assertTrue(Files.isSymbolicLink(saved), "saved as a link");
        assertEquals(outside.resolve("shadow"), Files.readSymbolicLink(saved));
        assertFalse(Files.isRegularFile(saved, LinkOption.NOFOLLOW_LINKS), "the secret's bytes were not copied");
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
