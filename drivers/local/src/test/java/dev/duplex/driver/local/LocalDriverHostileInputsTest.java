package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectName;
import dev.duplex.api.StopMode;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9, findings 3 and 4, as they were found: names that became folders outside the state
 * folder, and an image whose link let {@code vm start} delete a file outside the VM. Each attack
 * leaves a file it must not touch ({@code elsewhere/db/important.txt}) and checks it afterwards.
 */
class LocalDriverHostileInputsTest {
    @TempDir
    Path temp;

    private Path elsewhere;
    private Path important;
    private final List<HypervisorDriver> drivers = new ArrayList<>();
    private final List<VmRef> started = new ArrayList<>();

    @BeforeEach
    void plantTheFileAnAttackWouldDestroy() throws IOException {
        elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        important = Files.createDirectories(elsewhere.resolve("db")).resolve("important.txt");
        Files.writeString(important, "keep me");
    }

    @AfterEach
    void stopEverything() {
        for (VmRef vm : started) {
            try {
                driver().stop(vm, StopMode.FORCE);
            } catch (RuntimeException e) {
                // Best effort: the test's own assertions said what went wrong.
            }
        }
        drivers.forEach(HypervisorDriver::close);
    }

    private Path state() {
        return temp.resolve("home").resolve("drivers").resolve("lab");
    }

    private HypervisorDriver driver() {
        HypervisorDriver driver = new LocalDriverProvider().connect(new DriverConfig("lab", "local:", Map.of(), Optional.empty(), state()));
        drivers.add(driver);
        return driver;
    }

    private Path source(String name) {
        return TestImages.write(temp.resolve("sources").resolve(name), "1.0", TestImages.RUN_FOREVER);
    }

    private ImageRef register(HypervisorDriver driver, String name, Path source) {
        return driver.registerImage(new ImageSpec(name, "1.0", source.toString(), Map.of()));
    }

    private void assertImportantUntouched() throws IOException {
        assertTrue(Files.isDirectory(elsewhere.resolve("db"), LinkOption.NOFOLLOW_LINKS), "elsewhere/db is still a real folder");
        assertTrue(Files.isRegularFile(important, LinkOption.NOFOLLOW_LINKS), "important.txt is still there");
        assertEquals("keep me", Files.readString(important));
        try (Stream<Path> files = Files.list(elsewhere.resolve("db"))) {
            assertEquals(List.of(important), files.toList(), "nothing was added next to it");
        }
    }

    // ---- finding 4: a symbolic link inside an image

    /** The attack as reported: fails on the code before the fix, which deleted important.txt at start. */
    @Test
    void imageLinkingOutsideItselfCannotRedirectAMountPoint() throws Exception {
        HypervisorDriver driver = driver();
        Path source = source("escaping");
        Files.createSymbolicLink(source.resolve("esc"), elsewhere);
        VolumeRef volume = driver.createVolume(new VolumeSpec("db-0", 1 << 20, "database", Map.of()));
        try {
            ImageRef image = register(driver, "escaping", source);
            VmRef vm = driver.createVm(new VmSpec("kv-0", image, List.of(new VolumeLink(volume, "esc/db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of()));
            started.add(vm);
            driver.start(vm);
        } catch (InvalidSpecException refused) {
            // Refused at one of the steps: what matters is the file outside.
        }
        assertImportantUntouched();
    }

    @Test
    void imageWithAnAbsoluteLinkIsRefusedAtRegistrationNamingTheLinkAndItsTarget() throws Exception {
        HypervisorDriver driver = driver();
        Path source = source("absolute");
        Files.createSymbolicLink(source.resolve("esc"), elsewhere);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> register(driver, "absolute", source));
        assertTrue(e.getMessage().contains(source.toRealPath().resolve("esc") + " -> " + elsewhere), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertNothingRegistered(driver);
    }

    /** Each image holds one link (or chain) leading out; the name says how. */
    static Stream<List<String>> escapingLinks() {
        return Stream.of(
                List.of("esc", "/etc"),                                // absolute
                List.of("esc", "../.."),                               // relative, climbing out
                List.of("lib/esc", "../../outside"),                   // relative from a sub-folder
                List.of("lib/deep/esc", "../../../../etc/passwd"),
                List.of("a", "b", "b", "/etc"),                        // link to a link that leads out
                List.of("a", "b/x", "b", ".."),                        // through a link that climbs out
                List.of("lib/up", "..", "x", "lib/up/.."),             // lib/up is the top; x = its parent
                List.of("a", "b", "b", "a"),                           // a loop of links
                List.of("self", "self"),                               // a link to itself
                List.of("a", "lib/../b", "b", "c", "c", "../x"));      // a chain ending outside
    }

    @ParameterizedTest
    @MethodSource("escapingLinks")
    void imageWithALinkLeadingOutsideIsRefused(List<String> links) throws Exception {
        HypervisorDriver driver = driver();
        Path source = source("links");
        Files.createDirectories(source.resolve("lib").resolve("deep"));
        for (int i = 0; i < links.size(); i += 2) {
            Files.createSymbolicLink(source.resolve(links.get(i)), Path.of(links.get(i + 1)));
        }
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> register(driver, "links", source));
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains(" -> "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertNothingRegistered(driver);
    }

    @Test
    void linksInsideTheImageAreKept() throws Exception {
        HypervisorDriver driver = driver();
        Path source = source("inside");
        Files.createDirectories(source.resolve("lib").resolve("v1"));
        Files.writeString(source.resolve("lib").resolve("v1").resolve("x"), "x");
        Files.createSymbolicLink(source.resolve("lib").resolve("current"), Path.of("v1"));
        Files.createSymbolicLink(source.resolve("readme"), Path.of("lib/current/../../README"));
        Files.createSymbolicLink(source.resolve("dangling"), Path.of("not/there"));
        ImageRef image = register(driver, "inside", source);
        Path content = state().resolve("images").resolve(image.id()).resolve("content");
        assertEquals(Path.of("v1"), Files.readSymbolicLink(content.resolve("lib").resolve("current")));
        assertEquals("software 1.0\n", Files.readString(content.resolve("readme")));
    }

    @Test
    void aMountPathThroughALinkInTheImageIsRefusedAtCreation() throws Exception {
        HypervisorDriver driver = driver();
        Path source = source("inner");
        Files.createDirectories(source.resolve("real"));
        Files.createSymbolicLink(source.resolve("esc"), Path.of("real")); // inside the image, so registration allows it
        ImageRef image = register(driver, "inner", source);
        VolumeRef volume = driver.createVolume(new VolumeSpec("db-0", 1 << 20, "database", Map.of()));
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> driver.createVm(
                new VmSpec("kv-0", image, List.of(new VolumeLink(volume, "esc/db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of())));
        assertTrue(e.getMessage().contains("'esc', a symbolic link to 'real'"), e.getMessage());
        assertEquals(List.of(), driver.listVms());
    }

    /**
     * An image registered before the check (here: a link planted in its stored content) still
     * cannot redirect a mount point at boot, in either link mode.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(VolumeLink.Mode.class)
    void aLinkPlantedInAStoredImageIsRefusedAtBoot(VolumeLink.Mode mode) throws Exception {
        HypervisorDriver driver = driver();
        ImageRef image = register(driver, "old", source("old"));
        VolumeRef volume = driver.createVolume(new VolumeSpec("db-0", 1 << 20, "database", Map.of()));
        Files.writeString(state().resolve("volumes").resolve(volume.id()).resolve("data").resolve("row"), "1");
        VmRef vm = driver.createVm(new VmSpec("kv-0", image, List.of(new VolumeLink(volume, "esc/db", mode)), Map.of()));
        started.add(vm);
        Files.createSymbolicLink(state().resolve("images").resolve(image.id()).resolve("content").resolve("esc"), elsewhere);

        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> driver.start(vm));
        assertTrue(e.getMessage().contains("'esc', a symbolic link to '" + elsewhere + "'"), e.getMessage());
        assertImportantUntouched();
    }

    @Test
    void aMountPathThroughAFileIsRefusedAtBoot() throws Exception {
        HypervisorDriver driver = driver();
        Path source = source("file");
        Files.writeString(source.resolve("esc"), "a file, not a folder");
        ImageRef image = register(driver, "file", source);
        VolumeRef volume = driver.createVolume(new VolumeSpec("db-0", 1 << 20, "database", Map.of()));
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> driver.createVm(
                new VmSpec("kv-0", image, List.of(new VolumeLink(volume, "esc/db", VolumeLink.Mode.MOUNT_AT_BOOT)), Map.of())));
        assertTrue(e.getMessage().contains("which is a file"), e.getMessage());
    }

    @Test
    void anImageSourceThatIsALinkIsCopiedNotLinked() throws Exception {
        HypervisorDriver driver = driver();
        Path real = source("real");
        Path link = Files.createSymbolicLink(temp.resolve("current"), real);
        ImageRef image = register(driver, "linked", link);
        Path content = state().resolve("images").resolve(image.id()).resolve("content");
        assertFalse(Files.isSymbolicLink(content), "the image is a copy, not a link to a folder that may change");
        assertEquals("software 1.0\n", Files.readString(content.resolve("README")));
    }

    @Test
    void aCopyNeverWritesThroughALinkAlreadyInTheTarget() throws Exception {
        Path from = Files.createDirectories(temp.resolve("from").resolve("db"));
        Files.writeString(from.resolve("important.txt"), "new");
        Path to = Files.createDirectories(temp.resolve("to"));
        Files.createSymbolicLink(to.resolve("db"), elsewhere.resolve("db"));

        TreeCopy.copy(temp.resolve("from"), to, (copied, total) -> {});

        assertFalse(Files.isSymbolicLink(to.resolve("db")), "the link was replaced by a real folder");
        assertEquals("new", Files.readString(to.resolve("db").resolve("important.txt")));
        assertImportantUntouched();
    }

    // ---- finding 3: names that reach the file system

    static Stream<String> hostileEndpointNames() {
        return Stream.of("../../../duplex-hostile-escape", "..", ".", "/abs", "a/b", "lab\n", "\u001b]0;pwned\u0007", "a\u0000b", "-x", ".hidden",
                "x".repeat(64), "", "l\u0430b", "lab ");
    }

    @ParameterizedTest
    @MethodSource("hostileEndpointNames")
    void anEndpointNameThatIsNotANameNeverBecomesAFolder(String name) throws Exception {
        Path drivers = Files.createDirectories(temp.resolve("home").resolve("drivers"));
        String endpoint = name.equals("/abs") ? temp.resolve("abs").toString() : name;
        // What the engine hands over: <home>/drivers/<endpoint name>.
        Path work = endpoint.indexOf('\0') >= 0 ? drivers.resolve("nul") : drivers.resolve(endpoint);
        DriverConfig config = new DriverConfig(endpoint, "local:", Map.of(), Optional.empty(), work);
        // Before the fix the driver connected, and creating a volume wrote state wherever the name pointed.
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> new LocalDriverProvider().connect(config).createVolume(new VolumeSpec("db-0", 1, "database", Map.of())));
        assertTrue(e.getMessage().contains(ObjectName.RULE), e.getMessage());
        assertEquals(e.getMessage(), VisibleText.escape(e.getMessage()), "no control character in the message");
        assertFalse(Files.exists(work.normalize().resolve("volumes"), LinkOption.NOFOLLOW_LINKS), "no state where the name points");
    }

    @Test
    void aWorkFolderThatIsALinkIsRefused() throws Exception {
        Files.createDirectories(state().getParent());
        Files.createSymbolicLink(state(), elsewhere);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, this::driver);
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void aLinkPlantedInTheStateFolderIsNeverFollowed() throws Exception {
        HypervisorDriver driver = driver();
        VolumeRef volume = driver.createVolume(new VolumeSpec("db-0", 1 << 20, "database", Map.of()));
        Path folder = state().resolve("volumes").resolve(volume.id());
        // Someone swaps the volume's folder for a link to a folder that looks like a volume.
        Files.writeString(elsewhere.resolve("volume.properties"), "name=db-0\nsizeBytes=1\npurpose=database\n");
        Files.createDirectories(elsewhere.resolve("data"));
        TreeDeletion.delete(folder);
        Files.createSymbolicLink(folder, elsewhere);

        DriverException e = assertThrows(DriverException.class, () -> driver.deleteVolume(volume));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertImportantUntouched();

        // And the same for the volumes folder as a whole.
        Files.delete(folder);
        Path volumes = state().resolve("volumes");
        TreeDeletion.delete(volumes);
        Files.createSymbolicLink(volumes, elsewhere);
        assertThrows(DriverException.class, () -> driver.createVolume(new VolumeSpec("db-1", 1, "database", Map.of())));
        assertThrows(DriverException.class, driver::listVolumes);
        assertImportantUntouched();
    }

    private void assertNothingRegistered(HypervisorDriver driver) throws IOException {
        assertEquals(List.of(), driver.listImages());
        Path images = state().resolve("images");
        if (Files.exists(images)) {
            try (Stream<Path> left = Files.list(images)) {
                assertEquals(List.of(), left.toList(), "no image folder and no staging folder left behind");
            }
        }
    }
}
