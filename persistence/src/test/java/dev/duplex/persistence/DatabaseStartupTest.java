package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.inventory.Inventory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks: one clear, redacted line for each way a database cannot be used. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseStartupTest {
    private static final String SECRET = "s3cret-Pa55";

    @Test
    void configAndMessagesRedactTheUrlsSecrets(@TempDir Path home) throws Exception {
        Path passwordFile = home.resolve("password");
        Files.writeString(passwordFile, SECRET + "\n");
        Files.setPosixFilePermissions(passwordFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        DatabaseConfig config = DatabaseConfig.external(home, "jdbc:postgresql://duplex:" + SECRET + "@localhost:1/duplex?password=" + SECRET,
                "duplex", Optional.of(passwordFile));
        assertFalse(config.toString().contains(SECRET), config.toString());
        assertTrue(config.toString().contains("password=***"), config.toString());
        assertEquals(Optional.of(SECRET), config.readPassword(), "the password comes from the file, without its line end");

        var e = assertThrows(DatabaseUnavailableException.class, () -> Database.start(config));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("Cannot reach the database at jdbc:postgresql://duplex:***@localhost:1/duplex?password=***: "),
                e.getMessage());

        DatabaseConfig refused = DatabaseConfig.external(home, "jdbc:postgresql://localhost:1/duplex?password=" + SECRET, "duplex",
                Optional.of(passwordFile));
        assertEquals("Cannot reach the database at jdbc:postgresql://localhost:1/duplex?password=***: "
                        + "Connection to localhost:1 refused; check that PostgreSQL runs there and that duplex.db.url is right",
                assertThrows(DatabaseUnavailableException.class, () -> Database.start(refused)).getMessage());
    }

    @Test
    void theConfigComesFromProperties(@TempDir Path home) {
        DatabaseConfig embedded = DatabaseConfig.fromProperties(home, Map.of());
        assertTrue(embedded.isEmbedded());
        assertEquals(home.resolve("db"), embedded.embeddedFolder());
        DatabaseConfig external = DatabaseConfig.fromProperties(home, Map.of(DatabaseConfig.URL_PROPERTY, "jdbc:postgresql://db:5432/duplex",
                DatabaseConfig.USER_PROPERTY, "duplex", DatabaseConfig.PASSWORD_FILE_PROPERTY, "/etc/duplex/db.password"));
        assertFalse(external.isEmbedded());
        assertEquals(Optional.of(Path.of("/etc/duplex/db.password")), external.passwordFile());
        assertEquals(Path.of("/h"), DatabaseConfig.defaultHome(Map.of("DUPLEX_HOME", "/h")));
        assertEquals(Path.of(System.getProperty("user.home"), ".duplex"), DatabaseConfig.defaultHome(Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> DatabaseConfig.fromProperties(home, Map.of(DatabaseConfig.URL_PROPERTY, "mysql://x:" + SECRET + "@h/db")));
    }

    @Test
    void aMissingPasswordFileIsNamed(TestServer server, @TempDir Path home) {
        Path missing = home.resolve("no-such-file");
        var e = assertThrows(DatabaseException.class, () -> Database.start(
                DatabaseConfig.external(home, server.url("postgres"), "duplex", Optional.of(missing))));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains(DatabaseConfig.PASSWORD_FILE_PROPERTY), e.getMessage());
    }

    @Test
    void aWrongPasswordIsOneLineThatNamesTheUser(TestServer server, @TempDir Path home) throws Exception {
        server.admin("DROP DATABASE IF EXISTS wrong_password_test WITH (FORCE)");
        server.admin("DROP ROLE IF EXISTS pwuser");
        server.admin("CREATE ROLE pwuser LOGIN PASSWORD 'the-right-one'");
        server.admin("CREATE DATABASE wrong_password_test OWNER pwuser");

        Path wrong = home.resolve("wrong");
        Files.writeString(wrong, SECRET + "\n");
        Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String url = server.url("wrong_password_test");
        var e = assertThrows(DatabaseUnavailableException.class,
                () -> Database.start(DatabaseConfig.external(home, url, "pwuser", Optional.of(wrong))));
        assertEquals("The database at " + url + " refused user 'pwuser': wrong password; check the file named by "
                + DatabaseConfig.PASSWORD_FILE_PROPERTY, e.getMessage());

        Path right = home.resolve("right");
        Files.writeString(right, "the-right-one");
        Files.setPosixFilePermissions(right, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (Database database = Database.start(DatabaseConfig.external(home, url, "pwuser", Optional.of(right)))) {
            assertEquals(Optional.of("12"), database.status().schemaVersion());
        }
    }

    @Test
    void aDatabaseThatIsNotDuplexsIsRefusedAndLeftUntouched(TestServer server, @TempDir Path home) {
        String url = server.freshDatabase("not_duplex_test");
        TestServer.execute(url, "CREATE TABLE customers (id int PRIMARY KEY, name text)");
        var e = assertThrows(IncompatibleDatabaseException.class,
                () -> Database.start(TestServer.asSuperuser(url)));
        assertEquals("The database at " + url + " is not Duplex's: its schema holds 1 object(s) (customers) "
                + "but no Duplex schema history; point duplex.db.url at an empty database or at Duplex's own", e.getMessage());
        TestServer.execute(url, "DO $$ BEGIN IF to_regclass('flyway_schema_history') IS NOT NULL OR to_regclass('endpoints') IS NOT NULL "
                + "THEN RAISE EXCEPTION 'half-created'; END IF; END $$");
    }

    @Test
    void aSchemaFromANewerDuplexIsRefused(TestServer server, @TempDir Path home) {
        DatabaseConfig config = TestServer.asSuperuser(server.freshDatabase("newer_schema_test"));
        Database.start(config).close();
        TestServer.execute(config.url().orElseThrow(), """
                INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,
                                                   execution_time, success)
                VALUES (99, '99', 'from a newer duplex', 'SQL', 'V99__from_a_newer_duplex.sql', 0, 'test', 1, true)""");
        var e = assertThrows(IncompatibleDatabaseException.class, () -> Database.start(config));
        assertEquals("The database schema at " + config.url().orElseThrow() + " is at version 99, newer than this Duplex (12); upgrade Duplex",
                e.getMessage());
    }

    /**
     * A warm start tells "the schema is current" through the application's own connection: the
     * migration user (on the embedded server, the superuser) does not log in, nor does Flyway load.
     */
    @Test
    void aCurrentSchemaIsToldWithoutTheMigrationUsersLogin(TestServer server) throws Exception {
        String url = server.freshDatabase("current_schema_test");
        Database.start(TestServer.asSuperuser(url)).close();
        org.postgresql.ds.PGSimpleDataSource reads = new org.postgresql.ds.PGSimpleDataSource();
        reads.setURL(url);
        reads.setUser(TestServer.SUPERUSER);
        reads.setPassword(TestServer.superuserPassword());
        List<String> migrationLogins = new java.util.ArrayList<>();
        javax.sql.DataSource migrations = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    migrationLogins.add(method.getName());
                    throw new java.sql.SQLException("the migration user may not log in here");
                });

        assertTrue(new SchemaMigrator(migrations, reads, "test").current());
        assertEquals(List.of(), migrationLogins);

        TestServer.execute(url, "DELETE FROM flyway_schema_history WHERE version = '8'");
        assertFalse(new SchemaMigrator(migrations, reads, "test").current(), "one migration pending");
        TestServer.execute(url, "DROP TABLE flyway_schema_history");
        assertFalse(new SchemaMigrator(migrations, reads, "test").current(), "no history");
        assertEquals(List.of(), migrationLogins);
    }

    @Test
    void statusTellsVersionAndPendingMigrationsAndMigrateAppliesThem(TestServer server, @TempDir Path home) {
        DatabaseConfig config = TestServer.asSuperuser(server.freshDatabase("status_test"));
        try (Database database = Database.connect(config)) {
            DatabaseStatus before = database.status();
            assertEquals(config.url().orElseThrow(), before.location());
            assertFalse(before.embedded());
            assertEquals(Optional.empty(), before.schemaVersion());
            assertEquals(Optional.of("12"), before.latestKnownVersion());
            assertEquals(List.of("V1 inventory", "V2 jobs", "V3 environment", "V4 audit", "V5 single vm jobs", "V6 vm job locks",
                    "V7 api tokens", "V8 inventory deletes", "V9 pair labels and fleet jobs", "V10 inventory version",
                    "V11 inventory version slots", "V12 inventory version once per transaction"),
                    before.pendingMigrations());
            assertEquals(Optional.empty(), before.server());

            assertEquals(before.pendingMigrations(), database.migrate());
            DatabaseStatus after = database.status();
            assertEquals(Optional.of("12"), after.schemaVersion());
            assertEquals(List.of(), after.pendingMigrations());
            assertEquals(List.of(), database.migrate());
        }
    }

    @Test
    void theModuleBindsThePortsToTheDatabase(TestServer server) {
        try (Database database = server.startFresh("module_test")) {
            var injector = com.google.inject.Guice.createInjector(com.google.inject.Stage.PRODUCTION, new PersistenceModule(database));
            Inventory inventory = injector.getInstance(Inventory.class);
            assertTrue(inventory instanceof JdbiInventory);
            assertTrue(injector.getInstance(dev.duplex.engine.job.JobQueue.class) instanceof JdbiJobQueue);
            assertTrue(injector.getInstance(dev.duplex.engine.audit.AuditLog.class) instanceof JdbiAuditLog);
            assertTrue(injector.getInstance(dev.duplex.engine.envstore.EnvironmentArchive.class) instanceof JdbiEnvironmentArchive);
            inventory.addEndpoint(Fixtures.endpoint("through-guice"));
            assertEquals(1, injector.getInstance(Inventory.class).endpoints().size());
        }
    }

    @Test
    void theEmbeddedStatusSaysWhichProcessRunsIt(TestServer server) {
        try (Database database = Database.connect(DatabaseConfig.embedded(server.home()))) {
            DatabaseStatus status = database.status();
            assertTrue(status.embedded());
            EmbeddedServerStatus embedded = status.server().orElseThrow();
            assertEquals(server.port(), embedded.port());
            assertEquals(server.home().resolve("db/data"), embedded.dataDirectory());
            assertTrue(ProcessHandle.of(embedded.postmasterPid()).isPresent());
            assertFalse(embedded.startedByThisProcess(), "this second Database joined the test server");
            assertEquals(ProcessHandle.current().pid(), embedded.owner().startedByPid(), "the test JVM started it");
            assertTrue(embedded.users() >= 2, "the test server's lease and this one: " + embedded.users());
            assertEquals(server.url("duplex"), status.location());
        }
        assertTrue(server.port() > 0);
    }
}
