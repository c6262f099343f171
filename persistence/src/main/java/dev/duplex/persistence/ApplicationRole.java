package dev.duplex.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The role Duplex's application code connects as on the embedded server: it logs in with its own
 * password, is no superuser, and may only read and write rows. The tables belong to the superuser
 * (who runs the migrations), so the role cannot alter or drop them, nor disable a trigger; on
 * {@code audit_log} it may only read and append, and on the schema history and the inventory version
 * (which only its triggers move, so that it never goes back) only read. Superuser
 * powers it lacks: {@code pg_read_file}, {@code COPY} to or from files and programs, and
 * {@code SET session_replication_role}.
 */
final class ApplicationRole {
    static final String NAME = "duplex_app";
    /**
     * PBKDF2 rounds of the role's SCRAM verifier (PostgreSQL's default: 4096). Stretching slows the
     * guessing of a weak password from a stolen verifier; this password is 24 random bytes, which
     * no guessing reaches, while every Duplex command pays the rounds again when it logs in (tens
     * of milliseconds of a command that should answer in a few hundred).
     */
    static final int SCRAM_ITERATIONS = 16;
    /** The advisory lock that serializes {@link #grant}: "duplex-g" in ASCII. */
    private static final long GRANT_LOCK = 0x6475706c65782d67L;

    private ApplicationRole() {}

    /** As the superuser on the {@code postgres} database: the Duplex database and the role with its current password. */
    static void create(DataSource maintenance, String database, String password) throws SQLException {
        try (Connection connection = maintenance.getConnection(); Statement statement = connection.createStatement()) {
            boolean exists;
            try (var rows = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                exists = rows.next();
            }
            if (!exists) {
                statement.execute("CREATE DATABASE " + database + " OWNER " + Cluster.SUPERUSER);
            }
            try (var rows = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + NAME + "'")) {
                exists = rows.next();
            }
            if (!exists) {
                statement.execute("CREATE ROLE " + NAME + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
            }
            if (connection.getMetaData().getDatabaseMajorVersion() >= 16) { // scram_iterations came with PostgreSQL 16
                statement.execute("SET scram_iterations = " + SCRAM_ITERATIONS);
            }
            // the password file is the truth: a lost file is replaced by a new password at the next start
            statement.execute("ALTER ROLE " + NAME + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD "
                    + quote(connection, password));
            statement.execute("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
            statement.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + database + " TO " + NAME);
        }
    }

    /**
     * As the superuser on the Duplex database: what the role may do, on the tables there now and,
     * through default privileges, on those later migrations create. Run at every start and after
     * every migration, since default privileges would also give it UPDATE and DELETE on a new
     * append-only table.
     */
    static void grant(DataSource duplex) throws SQLException {
        try (Connection connection = duplex.getConnection(); Statement statement = connection.createStatement()) {
            // one transaction, serialized across processes: two concurrent GRANTs on one table fail
            // with "tuple concurrently updated", and a process migrating grants outside the folder lock
            connection.setAutoCommit(false);
            statement.execute("SELECT pg_advisory_xact_lock(" + GRANT_LOCK + ")");
            statement.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            statement.execute("GRANT USAGE ON SCHEMA public TO " + NAME);
            statement.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + Cluster.SUPERUSER + " IN SCHEMA public "
                    + "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + NAME);
            statement.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + Cluster.SUPERUSER + " IN SCHEMA public "
                    + "GRANT USAGE, SELECT ON SEQUENCES TO " + NAME);
            statement.execute("""
                    DO $$
                    DECLARE t record;
                    BEGIN
                        FOR t IN SELECT c.relname, c.relkind FROM pg_class c
                                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S') LOOP
                            EXECUTE format('REVOKE ALL ON %%I FROM %1$s', t.relname);
                            IF t.relkind = 'S' THEN
                                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %%I TO %1$s', t.relname);
                            ELSIF t.relname = 'audit_log' THEN
                                EXECUTE format('GRANT SELECT, INSERT ON %%I TO %1$s', t.relname);
                            ELSIF t.relname IN ('%2$s', 'inventory_version') THEN
                                EXECUTE format('GRANT SELECT ON %%I TO %1$s', t.relname);
                            ELSE
                                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %%I TO %1$s', t.relname);
                            END IF;
                        END LOOP;
                    END
                    $$""".formatted(NAME, SchemaMigrator.HISTORY_TABLE));
            connection.commit();
        }
    }

    private static String quote(Connection connection, String text) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT quote_literal(?)")) {
            statement.setString(1, text);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }
}
