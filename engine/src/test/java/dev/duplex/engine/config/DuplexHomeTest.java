package dev.duplex.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The home is where Duplex runs binaries and reads secrets from: no one else may change it or swap it. */
class DuplexHomeTest {
    @TempDir
    Path dir;

    @Test
    void aNewHomeIsCreatedPrivate() throws IOException {
        Path home = DuplexHome.prepare(dir.resolve("a/b/home"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.getParent())));
    }

    @Test
    void anExistingReadableHomeIsKeptAndWhatDuplexWritesInItIsPrivate() throws IOException {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(home, DuplexHome.prepare(home));
        for (String folder : java.util.List.of("db", "drivers", "logs")) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(folder))), folder);
        }
    }

    @Test
    void aHomeOthersCanWriteIsRefusedWithTheFix() throws IOException {
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        ConfigException e = assertThrows(ConfigException.class, () -> DuplexHome.prepare(home));
        assertTrue(e.getMessage().contains("can be changed by other users (mode 0777); run 'chmod 700 " + home + "'"), e.getMessage());
    }

    @Test
    void aHomeUnderAFolderOthersCanWriteWithoutTheStickyBitIsRefused() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        ConfigException e = assertThrows(ConfigException.class, () -> DuplexHome.prepare(open.resolve("home")));
        assertTrue(e.getMessage().contains("is inside " + open + ", which other users can change (mode 0777)"), e.getMessage());
        assertTrue(Files.notExists(open.resolve("home")), "nothing created");
    }

    @Test
    void aHomeUnderTmpWithItsStickyBitIsAccepted() {
        Path home = DuplexHome.prepare(dir.resolve("home"));
        assertTrue(Files.isDirectory(home));
    }

    @Test
    void aHomeThatIsASymbolicLinkIsRefused() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        ConfigException e = assertThrows(ConfigException.class, () -> DuplexHome.prepare(link));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void aHomeOrAParentOwnedByAnotherUserIsRefused() throws IOException {
        if (!isRoot()) {
            assertTrue(!"true".equals(System.getenv("CI")), "CI runs the tests as root: this check must run there");
            assumeTrue(false, "only root can give a folder to another user");
        }
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.setOwner(home, users.lookupPrincipalByName("nobody"));
        ConfigException owned = assertThrows(ConfigException.class, () -> DuplexHome.prepare(home));
        assertTrue(owned.getMessage().contains("belongs to uid 65534, not to this user"), owned.getMessage());

        Path parent = Files.createDirectory(dir.resolve("theirs"));
        Files.setOwner(parent, users.lookupPrincipalByName("nobody"));
        ConfigException inside = assertThrows(ConfigException.class, () -> DuplexHome.prepare(parent.resolve("home")));
        assertTrue(inside.getMessage().contains("is inside " + parent + ", which belongs to uid 65534"), inside.getMessage());
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
