package dev.duplex.driver.openstack;

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
import dev.duplex.api.PlatformException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when OpenStack refuses: each failure is one line naming the object and,
 * where OpenStack gave one, its request id (what the cloud's support looks up), and never the
 * password.
 */
@ExtendWith(OpenstackPeer.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenstackErrorsTest implements OpenstackPeer.User {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private OpenstackPeer peer;
    private HypervisorDriver driver;

    @TempDir
    Path dir;

    @Override
    public void usePeer(OpenstackPeer peer) {
        this.peer = peer;
    }

    @BeforeAll
    void connect() {
        driver = new OpenstackDriverProvider().connect(peer.driverConfig("errors", Map.of()));
    }

    @AfterAll
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static void assertOneLine(DriverException e, String... mentions) {
        String message = e.getMessage();
        System.out.println("OpenStack error as the operator sees it: " + message);
        assertFalse(message.contains("\n"), "one line: " + message);
        for (String mention : mentions) {
            assertTrue(message.contains(mention), "mentions '" + mention + "': " + message);
        }
        assertTrue(message.matches(".*req-[0-9a-f-]{36}.*"), "names OpenStack's request id: " + message);
    }

    @Test
    void aWrongPasswordIsRefusedNamingTheUserAndProjectButNotThePassword() throws IOException {
        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "not-the-password-" + run + "\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        DriverConfig good = peer.driverConfig("errors", Map.of());
        DriverConfig config = new DriverConfig("errors", good.uri(), good.properties(), Optional.of(wrong), good.workDirectory());

        AuthenticationException e = assertThrows(AuthenticationException.class, () -> new OpenstackDriverProvider().connect(config));

        assertOneLine(e, "'errors'", "user 'duplex'", "project 'duplex'", "HTTP 401");
        assertFalse(e.getMessage().contains("not-the-password"), "never the password: " + e.getMessage());
    }

    @Test
    void anUnknownProjectIsRefusedNamingIt() {
        DriverConfig config = peer.driverConfig("errors", Map.of("project", "no-such-project-" + run));

        AuthenticationException e = assertThrows(AuthenticationException.class, () -> new OpenstackDriverProvider().connect(config));

        assertOneLine(e, "project 'no-such-project-" + run + "'");
    }

    @Test
    void aVolumeInUseByAnotherServerIsRefusedNamingBoth() {
        ImageRef image = driver.registerImage(new ImageSpec("err-" + run + "-image", "1.0", peer.imageFile("1.0").toString(), Map.of()));
        VolumeRef volume = driver.createVolume(new VolumeSpec("err-" + run + "-volume", 1L << 30, "database", Map.of()));
        VolumeLink link = new VolumeLink(volume, "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT);
        VmRef first = driver.createVm(new VmSpec("err-" + run + "-first", image, List.of(link), Map.of()));
        try {
            ConflictException e = assertThrows(ConflictException.class,
                    () -> driver.createVm(new VmSpec("err-" + run + "-second", image, List.of(link), Map.of())));
            assertOneLine(e, volume.id(), first.name(), first.id(), "err-" + run + "-second");
            assertTrue(driver.listVms().stream().noneMatch(vm -> vm.vm().name().equals("err-" + run + "-second")),
                    "no second server was left behind");
        } finally {
            driver.deleteVm(first);
            driver.deleteVolume(volume);
            driver.deleteImage(image);
        }
    }

    /**
     * Acceptance 2, the deadline: with Nova's scheduler held still, a new server stays in BUILD
     * (scheduling). The endpoint's one-second deadline passes; the line names the server, where it
     * was stuck, the deadline and the setting behind it, the boot's request id and what to do, and
     * the half-built server is gone again with its volume free: a retry links the volume at once.
     */
    @Test
    void aServerStuckInBuildPastTheDeadlineIsDeletedAndNamedWithTheRequest() {
        ImageRef image = driver.registerImage(new ImageSpec("err-" + run + "-slow", "1.0", peer.imageFile("1.0").toString(), Map.of()));
        VolumeRef volume = driver.createVolume(new VolumeSpec("err-" + run + "-slow-db", 1L << 30, "database", Map.of()));
        VolumeLink link = new VolumeLink(volume, "var/lib/db", VolumeLink.Mode.MOUNT_AT_BOOT);
        String name = "err-" + run + "-stuck";
        try (HypervisorDriver hurried = new OpenstackDriverProvider().connect(
                peer.driverConfig("errors-deadline", Map.of("state-timeout-seconds", "1")))) {
            PlatformException e;
            try (OpenstackPeer.Paused scheduler = peer.pause("nova-scheduler")) {
                e = assertThrows(PlatformException.class, () -> hurried.createVm(new VmSpec(name, image, List.of(link), Map.of())));
                assertTrue(hurried.listVms().stream().noneMatch(vm -> vm.vm().name().equals(name)),
                        "the half-built server was deleted while the scheduler still held it");
            }

            assertOneLine(e, "Creating VM '" + name + "'", "still BUILD (scheduling)", "deadline of 1 s",
                    "endpoint 'errors-deadline', state-timeout-seconds", "the half-created server was deleted and its volumes are"
                    + " available again", "'openstack compute service list'", "raise state-timeout-seconds");
            String cli = "duplex: " + VisibleText.escape(e.getMessage());
            System.out.println("At the CLI: " + cli);
            assertEquals("duplex: " + e.getMessage(), cli, "the CLI prints the message as it is: nothing in it to escape");
            VmRef again = driver.createVm(new VmSpec(name, image, List.of(link), Map.of()));
            assertEquals(List.of(link), driver.describeVm(again).links(), "the volume links at once to a server made again");
            driver.deleteVm(again);
        } finally {
            deleteServersNamed("err-" + run + "-stuck");
            driver.deleteVolume(volume);
            driver.deleteImage(image);
        }
    }

    @Test
    void aServerThatNeverBecomesActiveFailsNamingItAndTheRequest() {
        ImageRef image = driver.registerImage(new ImageSpec("err-" + run + "-huge", "1.0", peer.imageFile("1.0").toString(), Map.of()));
        try {
            PlatformException e = assertThrows(PlatformException.class,
                    () -> driver.createVm(new VmSpec("err-" + run + "-never", image, List.of(), Map.of("flavor", "duplex.huge"))));
            assertOneLine(e, "err-" + run + "-never", "ACTIVE");
            assertTrue(driver.listVms().stream().map(VmInfo::vm).noneMatch(vm -> vm.name().equals("err-" + run + "-never")),
                    "the failed server was deleted");
        } finally {
            deleteServersNamed("err-" + run);
            driver.deleteImage(image);
        }
    }

    private void deleteServersNamed(String prefix) {
        for (VmInfo vm : driver.listVms()) {
            if (vm.vm().name().startsWith(prefix)) {
                if (vm.state() == VmState.RUNNING) {
                    driver.stop(vm.vm(), StopMode.FORCE);
                }
                driver.deleteVm(vm.vm());
            }
        }
    }
}
