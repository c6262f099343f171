package dev.duplex.persistence;

import static dev.duplex.persistence.EmbeddedServerAttackTest.mode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, findings 2 and 8: Duplex refuses to run a PostgreSQL binary another user could have
 * changed, repairs what an older Duplex or a failed start left (a 0777 bin folder, a 0-byte
 * binary, a temporary folder, a cluster trusting everyone), says "no space left on device"
 * when that is why it cannot unpack, and leaves nothing under db that others can write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedServerRepairTest {
    private final List<String> tried = new ArrayList<>();
    private Path shared;

    @BeforeAll
    void sharedHome() throws IOException {
        shared = Files.createTempDirectory("duplex-repair-").resolve("home");
        Database.start(DatabaseConfig.embedded(shared)).close();
    }

    @AfterAll
    void report() throws IOException {
        Database.stopEmbedded(shared);
        PrivateFiles.deleteTree(shared.getParent());
        System.out.println("Hostile file-system states tried against the embedded PostgreSQL, by kind: "
                + EmbeddedServerAttackTest.counted(tried));
    }

    private static Path installation(Path home) throws IOException {
        try (Stream<Path> entries = Files.list(home.resolve("db/bin"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("pg-")).findFirst().orElseThrow();
        }
    }

    /** Starting Duplex on {@code home} fails with one line that contains every {@code expected} part. */
    private String refused(String kind, Path home, String... expected) {
        tried.add(kind);
        DatabaseException e = assertThrows(DatabaseException.class, () -> Database.start(DatabaseConfig.embedded(home)).close());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
        return e.getMessage();
    }

    private void starts(String kind, Path home) {
        tried.add(kind);
        try (Database database = Database.start(DatabaseConfig.embedded(home))) {
            assertTrue(database.status().schemaVersion().isPresent(), "migrated");
            new JdbiInventory(database.jdbi()).endpoints();
        }
    }

    @Test
    void aFolderOthersCanWriteOnTheWayToABinaryIsRefused() throws IOException {
        Path installation = installation(shared);
        for (Path folder : List.of(installation, installation.resolve("bin"), installation.resolve("lib"))) {
            for (String mode : List.of("rwxrwxr-x", "rwxr-xrwx")) {
                var before = Files.getPosixFilePermissions(folder);
                Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(mode));
                try {
                    String message = refused("writable-folder", shared, "Refusing to run ", folder + " is owned by ", "mode " + mode, "chmod go-w");
                    assertTrue(message.startsWith("Refusing to run " + installation.resolve("bin")), message);
                } finally {
                    Files.setPosixFilePermissions(folder, before);
                }
            }
        }
        Path pgCtl = installation.resolve("bin/pg_ctl");
        Files.setPosixFilePermissions(pgCtl, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            refused("writable-binary", shared, pgCtl + " is owned by ", "mode rwxrwxrwx");
        } finally {
            Files.setPosixFilePermissions(pgCtl, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        starts("repaired-by-hand", shared);
    }

    @Test
    void aBinaryOrFolderOwnedByAnotherUserIsRefused() throws IOException {
        LocalAttacker.requireRootOnly();
        Path installation = installation(shared);
        UserPrincipal nobody = shared.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        UserPrincipal root = Files.getOwner(installation);
        for (Path path : List.of(installation.resolve("bin/pg_ctl"), installation.resolve("bin/postgres"), installation.resolve("bin/initdb"),
                installation.resolve("bin"), installation.resolve("lib/libpq.so.5.17"))) {
            Files.setOwner(path, nobody);
            try {
                refused("foreign-owner", shared, "Refusing to run ", path + " is owned by nobody (uid 65534)");
            } finally {
                Files.setOwner(path, root);
            }
        }
        starts("repaired-by-hand", shared);
    }

    @Test
    void aHomeOthersCanWriteIsRefused() throws IOException {
        var before = Files.getPosixFilePermissions(shared);
        for (String mode : List.of("rwxrwx---", "rwx---rwx", "rwxrwxrwx")) {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString(mode));
            try {
                refused("writable-home", shared, "The Duplex home " + shared.toRealPath(), "mode " + mode, "chmod 700");
            } finally {
                Files.setPosixFilePermissions(shared, before);
            }
        }
    }

    @Test
    void filesAnOlderDuplexLeftOpenAreClosedAgain() throws IOException {
        Path db = shared.resolve("db");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(db.resolve("leases"), PosixFilePermissions.fromString("rwxrwxrwx"));
        for (String file : List.of("owner.lock", ClusterPasswords.APPLICATION_FILE, ClusterPasswords.SUPERUSER_FILE, "postgres.log")) {
            Files.setPosixFilePermissions(db.resolve(file), PosixFilePermissions.fromString("rw-rw-rw-"));
        }
        starts("open-files", shared);
        assertEquals("rwx------", mode(db));
        assertEquals("rwx------", mode(db.resolve("leases")));
        for (String file : List.of("owner.lock", ClusterPasswords.APPLICATION_FILE, ClusterPasswords.SUPERUSER_FILE, "postgres.log")) {
            assertEquals("rw-------", mode(db.resolve(file)), file);
        }
    }

    @Test
    void aServerThatCannotStartIsQuotedFromItsLogInOneLine() throws IOException {
        Path conf = shared.resolve("db/data/postgresql.conf");
        String before = Files.readString(conf);
        Files.writeString(conf, before + "\nmax_connections = banana\n");
        try {
            refused("bad-server-setting", shared, "pg_ctl start failed (exit 1): ", "contains errors",
                    "see " + shared.toRealPath().resolve("db/postgres.log"));
            assertTrue(Files.readString(shared.resolve("db/postgres.log")).contains("\"max_connections\": \"banana\""),
                    "the log says which setting");
        } finally {
            Files.writeString(conf, before);
        }
        starts("bad-server-setting-fixed", shared);
    }

    @Test
    void aZeroByteBinaryLeftByAFailedUnpackIsUnpackedAgain() throws IOException {
        Path installation = installation(shared);
        long size = Files.size(installation.resolve("bin/pg_ctl"));
        Files.write(installation.resolve("bin/pg_ctl"), new byte[0]);
        Files.write(installation.resolve("bin/postgres"), new byte[0]);
        assertTrue(Files.exists(installation.resolve(PostgresBinaries.MANIFEST)), "the marker says complete");
        starts("zero-byte-binary", shared);
        assertEquals(size, Files.size(installation.resolve("bin/pg_ctl")));
        assertTrue(Files.size(installation.resolve("bin/postgres")) > 1_000_000);
    }

    @Test
    void theOld0777BinFolderAndHalfUnpackedLeftoversAreReplaced(@TempDir Path temp) throws IOException {
        Path home = temp.resolve("home");
        Path bin = home.resolve("db/bin");
        // what zonky left: a 0777 folder, a 0-byte pg_ctl with its ".exists" marker; plus our own temporary folder
        Path zonky = bin.resolve("ab12cd34");
        Files.createDirectories(zonky.resolve("bin"));
        Files.write(zonky.resolve("bin/pg_ctl"), new byte[0]);
        Files.write(zonky.resolve(".exists"), new byte[0]);
        Files.createDirectories(bin.resolve(".unpack-1234/bin"));
        Files.write(bin.resolve(".unpack-1234/bin/postgres"), new byte[0]);
        Files.createDirectories(home.resolve("db/data.init"));
        Files.writeString(home.resolve("db/data.init/PG_VERSION"), "17\n");
        if (PrivateFiles.runningAsRoot()) {
            Path foreign = zonky.resolve("bin/initdb");
            Files.writeString(foreign, "#!/bin/sh\ntouch /tmp/duplex-pwned\n");
            Files.setOwner(foreign, foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            Files.createSymbolicLink(zonky.resolve("etc"), Path.of("/etc"));
        }
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(zonky, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            starts("legacy-bin-folder", home);
            assertEquals("rwx------", mode(bin));
            try (Stream<Path> entries = Files.list(bin)) {
                assertEquals(List.of(installation(home)), entries.toList(), "only the fresh installation is left");
            }
            assertTrue(Files.size(installation(home).resolve("bin/pg_ctl")) > 0);
            assertFalse(Files.exists(Path.of("/tmp/duplex-pwned")));
            assertTrue(Files.exists(Path.of("/etc/passwd")), "deleting the old folder did not follow its link to /etc");
            try (Stream<Path> entries = Files.list(home.resolve("db"))) {
                assertEquals(List.of(), entries.filter(p -> p.getFileName().toString().startsWith("bin.untrusted")
                        || p.getFileName().toString().equals("data.init")).toList());
            }
        } finally {
            Database.stopEmbedded(home);
        }
    }

    @Test
    void aClusterThatTrustedEveryoneGetsPasswordsAndAnOldTcpServerIsRefused(@TempDir Path temp) throws Exception {
        Path home = temp.resolve("home");
        Database.start(DatabaseConfig.embedded(home)).close();
        Path db = home.resolve("db");
        Files.writeString(db.resolve("data/pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        Files.delete(db.resolve(ClusterPasswords.SUPERUSER_FILE));
        try {
            starts("trust-cluster", home);
            assertEquals(Cluster.HBA, Files.readString(db.resolve("data/pg_hba.conf")));
            assertEquals("rw-------", mode(db.resolve(ClusterPasswords.SUPERUSER_FILE)));
            try (Database database = Database.start(DatabaseConfig.embedded(home))) {
                EmbeddedServerStatus server = database.status().server().orElseThrow();
                String url = EmbeddedServer.url(server.socket(), server.port(), "duplex");
                SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, Cluster.SUPERUSER, "").close());
                assertTrue(e.getMessage().contains("password"), e.getMessage());
                String password = Files.readString(db.resolve(ClusterPasswords.SUPERUSER_FILE)).strip();
                DriverManager.getConnection(url, Cluster.SUPERUSER, password).close();
            }

            // a server an older Duplex started, still running on TCP: refused with the command that stops it
            Path pgCtl = installation(home).resolve("bin/pg_ctl");
            List<String> command = new ArrayList<>(PrivateFiles.runningAsRoot() ? List.of("unshare", "-U") : List.of());
            command.addAll(List.of(pgCtl.toString(), "-D", db.resolve("data").toString(), "-l", db.resolve("postgres.log").toString(), "-w",
                    "-o", "-c listen_addresses=127.0.0.1 -c port=" + freePort() + " -c unix_socket_permissions=0777", "start"));
            assertEquals(0, new ProcessBuilder(command).inheritIO().start().waitFor());
            long oldServer = Postmaster.recorded(db.resolve("data")).orElseThrow().pid();
            refused("old-tcp-server", home, "started by an older Duplex", "listens on TCP 127.0.0.1:", "duplex db stop");
            assertTrue(ProcessHandle.of(oldServer).map(ProcessHandle::isAlive).orElse(false), "refused, not stopped behind the user's back");
            assertTrue(Database.stopEmbedded(home), "duplex db stop stops it");
            starts("old-tcp-server-stopped", home);
        } finally {
            Database.stopEmbedded(home);
        }
    }

    @Test
    void aFullDiskSaysNoSpaceLeftAndLeavesNothingThatPoisonsTheNextStart(@TempDir Path temp) throws Exception {
        LocalAttacker.requireRootOnly();
        Path disk = temp.resolve("disk");
        Files.createDirectories(disk);
        mount("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", disk.toString());
        Path home = disk.resolve("home");
        try {
            refused("full-disk", home, "Cannot unpack PostgreSQL into " + disk.toRealPath().resolve("home/db/bin"), "no space left on device",
                    "it needs ", " MB are free");
            try (Stream<Path> entries = Files.list(home.resolve("db/bin"))) {
                assertEquals(List.of(), entries.toList(), "no half installation left behind");
            }
            // space freed: the next start works without anyone cleaning up
            mount("mount", "-o", "remount,size=512m", disk.toString());
            starts("full-disk-then-freed", home);
        } finally {
            Database.stopEmbedded(home);
            mount("umount", "-l", disk.toString());
        }
    }

    @Test
    void aHomeTooDeepForASocketUsesAPrivateFolderUnderTmpAndRefusesAnotherUsersOne(@TempDir Path temp) throws Exception {
        Path home = temp.resolve("a-rather-long-folder-name-for-a-duplex-home-that-goes-on-and-on").resolve("and-on-and-on-home");
        Path socketFolder;
        try (Database database = Database.start(DatabaseConfig.embedded(home))) {
            Path socket = database.status().server().orElseThrow().socket();
            socketFolder = socket.getParent();
            assertTrue(socketFolder.toString().startsWith("/tmp/duplex-"), socket.toString());
            assertEquals("rwx------", mode(socketFolder));
            new JdbiInventory(database.jdbi()).endpoints();
        }
        tried.add("long-home");
        if (PrivateFiles.runningAsRoot()) {
            Files.setOwner(socketFolder, socketFolder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            try {
                refused("foreign-socket-folder", home, "The socket folder " + socketFolder, "owned by nobody");
            } finally {
                PrivateFiles.deleteTree(socketFolder);
            }
        }
        Database.stopEmbedded(home);
    }

    @Test
    void nothingUnderTheDbFolderIsWritableByOthersAndTheSecretsAreTheOwners() throws IOException {
        try (Database database = Database.start(DatabaseConfig.embedded(shared))) {
            Path db = shared.toRealPath().resolve("db");
            UserPrincipal us = Files.getOwner(db);
            Map<String, String> exact = Map.of(
                    "db", "rwx------", "db/bin", "rwx------", "db/run", "rwx------", "db/data", "rwx------", "db/leases", "rwx------",
                    "db/" + ClusterPasswords.SUPERUSER_FILE, "rw-------", "db/" + ClusterPasswords.APPLICATION_FILE, "rw-------",
                    "db/" + EmbeddedOwner.FILE_NAME, "rw-------", "db/owner.lock", "rw-------", "db/postgres.log", "rw-------");
            exact.forEach((path, mode) -> {
                try {
                    assertEquals(mode, mode(shared.toRealPath().resolve(path)), path);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int checked = 0;
            try (Stream<Path> paths = Files.walk(db)) {
                for (Path path : paths.toList()) {
                    checked++;
                    assertEquals(us, Files.getOwner(path, LinkOption.NOFOLLOW_LINKS), path.toString());
                    if (Files.isSymbolicLink(path)) {
                        continue;
                    }
                    String mode = mode(path);
                    assertEquals('-', mode.charAt(4), "group cannot write " + path + " " + mode);
                    assertEquals('-', mode.charAt(7), "others cannot write " + path + " " + mode);
                    if (path.startsWith(db.resolve("data")) || path.startsWith(db.resolve("leases")) || path.startsWith(db.resolve("run"))) {
                        assertTrue(mode.endsWith("------"), "only the owner may read " + path + " " + mode);
                    }
                }
            }
            assertTrue(checked > 1000, "walked the whole tree: " + checked);
            try (Stream<Path> leases = Files.list(db.resolve("leases"))) {
                for (Path lease : leases.toList()) {
                    assertEquals("rw-------", mode(lease), lease.toString());
                }
            }
            assertTrue(database.status().server().orElseThrow().socket().startsWith(db.resolve("run")));
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void mount(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }
}
