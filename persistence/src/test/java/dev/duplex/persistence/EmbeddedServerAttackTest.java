package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditEntry;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 9, findings 1 and 2, tried as they were found: another local user ({@code nobody})
 * tries to connect to the embedded PostgreSQL, to read a server file through it and to replace
 * a binary Duplex runs as root; the application role tries what a superuser could. Everything
 * is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedServerAttackTest {
    private Path base;
    private Path home;
    private Database database;
    private EmbeddedServerStatus server;
    private final List<String> tried = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        // under /tmp, in a folder nobody may enter: the home itself is what is under test
        base = Files.createTempDirectory(Path.of("/tmp"), "duplex-attack-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = base.resolve("home");
        database = Database.start(DatabaseConfig.embedded(home));
        server = database.status().server().orElseThrow();
        new JdbiAuditLog(database.jdbi()).record(AuditEntry.of(Instant.now(), new Actor("root"), "endpoint.add", "endpoint/a", Optional.empty(),
                Optional.empty()));
    }

    @AfterAll
    void stop() throws IOException {
        if (database != null) {
            database.close();
        }
        PrivateFiles.deleteTree(base);
        System.out.println("Hostile inputs tried against the embedded PostgreSQL, by kind: " + counted(tried));
    }

    private Path db() {
        return home.resolve("db");
    }

    private Path installation() throws IOException {
        try (Stream<Path> entries = Files.list(db().resolve("bin"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("pg-")).findFirst().orElseThrow();
        }
    }

    @Test
    void theServerListensOnNoTcpPortAndOnlyThisUserCanEnterItsSocketFolder() throws Exception {
        List<String> pidFile = Files.readAllLines(db().resolve("data/postmaster.pid"));
        assertEquals(db().resolve("run").toRealPath().toString(), pidFile.get(4), "the socket folder");
        assertEquals("", pidFile.get(5).strip(), "no TCP address");
        assertEquals(Set.of(), tcpListeners(server.postmasterPid()), "the postmaster holds no listening TCP socket");
        assertEquals("rwx------", mode(db().resolve("run")));
        assertEquals("rwx------", mode(server.socket()), "the socket itself: unix_socket_permissions = 0700");
        assertEquals(home.toRealPath().resolve("db/run/.s.PGSQL." + server.port()), server.socket());
    }

    @Test
    void anotherUserCannotConnectReadAServerFileOrReplaceABinary() throws Exception {
        LocalAttacker nobody = LocalAttacker.requireRoot();
        // a home others may enter (as a DUPLEX_HOME under /var/lib might be): the db folder is what keeps them out
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pgCtl = installation().resolve("bin/pg_ctl");
        String pgCtlBefore = sha256(pgCtl);
        Map<Path, String> before = tree(db().resolve("bin"));
        String socketFolder = server.socket().getParent().toString();
        int port = server.port();
        String readShadow = "SELECT pg_read_file('/etc/shadow')";

        for (String user : List.of(Cluster.SUPERUSER, ApplicationRole.NAME)) {
            nobody.psqlFails("connect", "connecting by TCP to 127.0.0.1", "127.0.0.1", port, user, "", "SELECT 1");
            nobody.psqlFails("connect", "connecting by TCP to localhost", "localhost", port, user, "", "SELECT 1");
            nobody.psqlFails("connect", "connecting through the socket", socketFolder, port, user, "", "SELECT 1");
            nobody.psqlFails("read-server-file", "pg_read_file by TCP", "127.0.0.1", port, user, "", readShadow);
            nobody.psqlFails("read-server-file", "pg_read_file through the socket", socketFolder, port, user, "", readShadow);
        }
        for (String secret : List.of(ClusterPasswords.SUPERUSER_FILE, ClusterPasswords.APPLICATION_FILE, EmbeddedOwner.FILE_NAME,
                "postgres.log", "data/pg_hba.conf")) {
            nobody.fails("read-secret", "reading db/" + secret, "cat", db().resolve(secret).toString());
        }
        nobody.fails("replace-binary", "replacing pg_ctl", "cp", "/bin/true", pgCtl.toString());
        nobody.failsInShell("replace-binary", "writing into pg_ctl", "echo 'touch /tmp/pwned' >> " + pgCtl);
        nobody.fails("replace-binary", "creating a file in db/bin", "touch", db().resolve("bin/evil").toString());
        nobody.fails("replace-binary", "linking into db/bin", "ln", "-s", "/bin/true", db().resolve("bin/evil-link").toString());
        nobody.fails("replace-binary", "moving db/bin away", "mv", db().resolve("bin").toString(), db().resolve("bin.old").toString());
        nobody.fails("replace-binary", "creating a file in the installation's bin", "touch",
                installation().resolve("bin/evil").toString());
        nobody.fails("tamper-config", "appending to pg_hba.conf", "sh", "-c", "echo 'local all all trust' >> " + db().resolve("data/pg_hba.conf"));
        nobody.fails("tamper-config", "creating a file in the db folder", "touch", db().resolve("evil").toString());
        nobody.fails("tamper-config", "creating a lease", "touch", db().resolve("leases/1-x.lease").toString());
        nobody.fails("tamper-config", "creating a folder in the socket folder", "mkdir", db().resolve("run/evil").toString());

        assertEquals(pgCtlBefore, sha256(pgCtl), "pg_ctl unchanged");
        assertEquals(before, tree(db().resolve("bin")), "nothing under db/bin changed");
        assertFalse(Files.exists(Path.of("/tmp/pwned")));
        tried.addAll(nobody.tried());
    }

    /**
     * Defence in depth: even with the folders opened (db 0711, run 0711, socket 0777), nobody
     * reaches the server but not past its password check, and still cannot read the 0600 files
     * or write under db/bin.
     */
    @Test
    void withTheFoldersOpenedTheServerStillWantsAPasswordAndTheFilesStayClosed() throws Exception {
        LocalAttacker nobody = LocalAttacker.requireRoot();
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = server.socket().getParent();
        try {
            Files.setPosixFilePermissions(db(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(server.socket(), PosixFilePermissions.fromString("rwxrwxrwx"));
            for (String user : List.of(Cluster.SUPERUSER, ApplicationRole.NAME)) {
                for (String guess : List.of("", "postgres", "duplex", user)) {
                    String output = nobody.psqlFails("guess-password", "logging in as " + user + " with password '" + guess + "'",
                            run.toString(), server.port(), user, guess, "SELECT pg_read_file('/etc/shadow')");
                    assertTrue(output.contains("password"), "reached the server, refused for the password: " + output);
                }
            }
            for (String secret : List.of(ClusterPasswords.SUPERUSER_FILE, ClusterPasswords.APPLICATION_FILE, EmbeddedOwner.FILE_NAME,
                    "postgres.log", "owner.lock")) {
                nobody.fails("read-secret", "reading db/" + secret + " with db 0711", "cat", db().resolve(secret).toString());
            }
            nobody.fails("replace-binary", "creating a file in db/bin with db 0711", "touch", db().resolve("bin/evil").toString());
            nobody.fails("replace-binary", "replacing pg_ctl with db 0711", "cp", "/bin/true",
                    installation().resolve("bin/pg_ctl").toString());
            nobody.fails("read-secret", "listing the data folder with db 0711", "ls", db().resolve("data").toString());
        } finally {
            Files.setPosixFilePermissions(db(), PrivateFiles.FOLDER);
            Files.setPosixFilePermissions(run, PrivateFiles.FOLDER);
            Files.setPosixFilePermissions(server.socket(), PrivateFiles.FOLDER);
        }
        tried.addAll(nobody.tried());
    }

    /** The application role logs in with its own password and cannot do what a superuser or the tables' owner could. */
    @Test
    void theApplicationRoleCannotReadFilesOrTouchTheAuditLog() throws Exception {
        String password = Files.readString(db().resolve(ClusterPasswords.APPLICATION_FILE)).strip();
        PGSimpleDataSource app = source(ApplicationRole.NAME, password);
        long auditRows = count("SELECT count(*) FROM audit_log");
        List<String> refused = List.of(
                "SELECT pg_read_file('/etc/shadow')",
                "SELECT pg_read_binary_file('/etc/shadow')",
                "SELECT pg_ls_dir('/root')",
                "SELECT lo_import('/etc/shadow')",
                "COPY (SELECT 1) TO '/tmp/duplex-app-role-wrote-this'",
                "COPY audit_log TO '/tmp/duplex-app-role-wrote-this'",
                "COPY audit_log FROM '/etc/passwd'",
                "COPY (SELECT 1) TO PROGRAM 'touch /tmp/duplex-app-role-ran-this'",
                "SET session_replication_role = replica",
                "SET ROLE postgres",
                "ALTER ROLE duplex_app SUPERUSER",
                "CREATE ROLE mallory SUPERUSER LOGIN",
                "DELETE FROM audit_log",
                "UPDATE audit_log SET actor = 'mallory'",
                "TRUNCATE audit_log",
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                "DROP TRIGGER audit_log_append_only ON audit_log",
                "DROP TRIGGER audit_log_no_truncate ON audit_log",
                "DROP FUNCTION audit_log_append_only() CASCADE",
                "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN OLD; END$$",
                "DROP TABLE audit_log",
                "ALTER TABLE audit_log RENAME TO old_audit_log",
                "UPDATE inventory_version SET version = 1",
                "DELETE FROM inventory_version",
                "TRUNCATE inventory_version",
                "ALTER TABLE pairs DISABLE TRIGGER pairs_version",
                "DROP TRIGGER pairs_version ON pairs",
                "DELETE FROM flyway_schema_history",
                "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, "
                        + "success) VALUES (99, '99', 'x', 'SQL', 'x', 'x', 0, true)",
                "CREATE TABLE mallory (x int)",
                "CREATE EXTENSION IF NOT EXISTS adminpack",
                "ALTER SYSTEM SET listen_addresses = '*'",
                "SELECT pg_reload_conf()");
        for (String sql : refused) {
            try (Connection connection = app.getConnection(); Statement statement = connection.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> statement.execute(sql), "the application role ran: " + sql);
                assertTrue(Set.of("42501", "0A000", "58P01", "42P01").contains(e.getSQLState()),
                        sql + " was refused, but not for want of privilege: " + e.getSQLState() + " " + e.getMessage());
            }
            tried.add("app-role-sql");
        }
        for (String sql : List.of("DELETE FROM audit_log", "UPDATE audit_log SET actor = 'mallory'", "TRUNCATE audit_log")) {
            try (Connection connection = app.getConnection(); Statement statement = connection.createStatement()) {
                String message = assertThrows(SQLException.class, () -> statement.execute(sql)).getMessage();
                assertTrue(message.contains("permission denied for table audit_log"), "refused by privilege, before the trigger: " + message);
            }
        }
        for (String privilege : List.of("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")) {
            assertEquals(0L, count("SELECT count(*) FROM (SELECT 1 WHERE has_table_privilege('duplex_app', 'audit_log', '" + privilege
                    + "')) p"), "duplex_app has no " + privilege + " on audit_log");
        }
        assertEquals(auditRows, count("SELECT count(*) FROM audit_log"), "no audit line went");
        assertEquals(2L, count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND tgenabled = 'O'"),
                "both audit triggers still on");
        assertEquals(0L, count("SELECT count(*) FROM pg_roles WHERE rolname = 'mallory' OR (rolname = 'duplex_app' AND rolsuper)"));
        assertFalse(Files.exists(Path.of("/tmp/duplex-app-role-wrote-this")));
        assertFalse(Files.exists(Path.of("/tmp/duplex-app-role-ran-this")));
    }

    /**
     * The application role's verifier has few PBKDF2 rounds (every command logs in with it) and is
     * still a salted SCRAM-SHA-256 one; the superuser keeps PostgreSQL's default.
     */
    @Test
    void theApplicationRoleLogsInWithAScramVerifierOfFewRounds() throws Exception {
        assertEquals(1L, count("SELECT count(*) FROM pg_authid WHERE rolname = 'duplex_app' AND rolpassword LIKE 'SCRAM-SHA-256$"
                + ApplicationRole.SCRAM_ITERATIONS + ":%'"));
        assertEquals(1L, count("SELECT count(*) FROM pg_authid WHERE rolname = 'postgres' AND rolpassword LIKE 'SCRAM-SHA-256$4096:%'"));
        String password = Files.readString(db().resolve(ClusterPasswords.APPLICATION_FILE)).strip();
        try (Connection connection = source(ApplicationRole.NAME, password).getConnection()) {
            assertTrue(connection.isValid(2));
        }
        PGSimpleDataSource wrong = source(ApplicationRole.NAME, password + "x");
        assertEquals("28P01", assertThrows(SQLException.class, wrong::getConnection).getSQLState());
    }

    /** What Duplex does every day still works as the application role: no privilege it needs was taken away. */
    @Test
    void theApplicationRoleDoesDuplexsWork() {
        assertEquals(ApplicationRole.NAME, database.jdbi().withHandle(h -> h.createQuery("SELECT current_user").mapTo(String.class).one()));
        JdbiInventory inventory = new JdbiInventory(database.jdbi());
        JdbiInventoryVersion version = new JdbiInventoryVersion(database.jdbi());
        long before = version.current();
        Fixtures.addPair(inventory, "app-role");
        assertTrue(inventory.pair("app-role").isPresent());
        assertTrue(version.current() > before, "the role's writes move the version it may not write itself");
        JdbiJobQueue jobs = new JdbiJobQueue(database.jdbi());
        Job job = jobs.create("upgrade", "app-role", "root", Map.of());
        assertEquals(job.id(), jobs.claim(job.id(), "node-a", Duration.ofMinutes(1)).orElseThrow().id());
        jobs.stepStarted(job.id(), "S21");
        jobs.stepDone(job.id(), "S21", Map.of("k", "v"));
        assertTrue(jobs.heartbeat(job.id(), "node-a"));
        jobs.finish(job.id(), JobState.SUCCEEDED, Optional.empty());
        assertEquals(1, jobs.journal(job.id()).size());
        JdbiAuditLog audit = new JdbiAuditLog(database.jdbi());
        audit.record(AuditEntry.of(Instant.now(), new Actor("root"), "job.finish", "job/" + job.id(), Optional.empty(), Optional.empty()));
        assertFalse(audit.recent(1).isEmpty());
        JdbiEnvironmentArchive archive = new JdbiEnvironmentArchive(database.jdbi());
        archive.saveCalibration("app-role", Map.of("a", "1"));
        assertEquals(Optional.of(Map.of("a", "1")), archive.calibration("app-role"));
        inventory.setActiveSystem("app-role", 1);
        inventory.addEndpoint(Fixtures.endpoint("app-role-gone"));
        inventory.removeEndpoint("app-role-gone");
        assertEquals(Optional.empty(), inventory.endpoint("app-role-gone"));
    }

    private long count(String sql) throws Exception {
        String password = Files.readString(db().resolve(ClusterPasswords.SUPERUSER_FILE)).strip();
        try (Connection connection = source(Cluster.SUPERUSER, password).getConnection();
                Statement statement = connection.createStatement(); var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private PGSimpleDataSource source(String user, String password) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(EmbeddedServer.url(server.socket(), server.port(), EmbeddedServer.DATABASE));
        source.setUser(user);
        source.setPassword(password);
        return source;
    }

    /** Inodes of the listening TCP sockets (/proc/net/tcp and tcp6, state 0A) that {@code pid} holds. */
    private static Set<String> tcpListeners(long pid) throws IOException {
        Set<String> held = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.startsWith("socket:[")) {
                    held.add(target.substring(8, target.length() - 1));
                }
            }
        }
        Set<String> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file); // read once: the table changes between two reads on a busy machine
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.strip().split("\\s+");
                if (fields[3].equals("0A")) {
                    listening.add(fields[9]);
                }
            }
        }
        held.retainAll(listening);
        assertTrue(!held.isEmpty() || Files.isDirectory(Path.of("/proc", Long.toString(pid))), "the postmaster runs");
        return held;
    }

    static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** Every path under {@code root} with its size, owner and mode. */
    private static Map<Path, String> tree(Path root) throws IOException {
        Map<Path, String> tree = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                tree.put(path, Files.size(path) + " " + Files.getOwner(path, LinkOption.NOFOLLOW_LINKS) + " " + mode(path));
            }
        }
        return tree;
    }

    static Map<String, Integer> counted(List<String> kinds) {
        Map<String, Integer> counts = new TreeMap<>();
        kinds.forEach(kind -> counts.merge(kind, 1, Integer::sum));
        return counts;
    }
}
