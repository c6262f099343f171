package dev.duplex.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Duplex's schema, owned by Flyway ({@code db/migration} on the class path): checks that a
 * database is one this Duplex may use, tells its version and pending migrations, and migrates it.
 */
final class SchemaMigrator {
    static final String HISTORY_TABLE = "flyway_schema_history";

    private final DataSource dataSource;
    /** For {@link #current()}: the application's pool, whose connection is open already (a new one costs a login). */
    private final DataSource reads;
    private final String where;
    /** Built on first use: loading Flyway costs more than a whole warm command, which usually finds the schema current. */
    private Flyway flyway;

    /**
     * @param dataSource what migrations and the compatibility checks connect as
     * @param reads what {@link #current()} reads the schema history through (it needs SELECT on it only)
     */
    SchemaMigrator(DataSource dataSource, DataSource reads, String where) {
        this.dataSource = dataSource;
        this.reads = reads;
        this.where = where;
    }

    private synchronized Flyway flyway() {
        if (flyway == null) {
            flyway = Flyway.configure(SchemaMigrator.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations("classpath:" + MigrationFiles.LOCATION)
                    .table(HISTORY_TABLE)
                    .baselineOnMigrate(false)
                    .cleanDisabled(true)
                    .validateMigrationNaming(true)
                    .load();
        }
        return flyway;
    }

    /**
     * True when the schema history holds exactly the migrations this Duplex ships, all applied
     * successfully: the database is Duplex's, not newer, and nothing is pending. One query, no
     * Flyway; anything else (no history yet, a failure, a version we do not know, a file we
     * cannot list) answers false and Flyway decides.
     */
    boolean current() {
        Optional<java.util.Set<String>> known = MigrationFiles.versions(SchemaMigrator.class.getClassLoader());
        if (known.isEmpty()) {
            return false;
        }
        try (Connection connection = reads.getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet table = statement.executeQuery("SELECT to_regclass(current_schema() || '." + HISTORY_TABLE + "')::text")) {
                if (!table.next() || table.getString(1) == null) {
                    return false;
                }
            }
            java.util.Set<String> applied = new java.util.HashSet<>();
            try (ResultSet rows = statement.executeQuery("SELECT version, success FROM " + HISTORY_TABLE + " WHERE version IS NOT NULL")) {
                while (rows.next()) {
                    if (!rows.getBoolean(2)) {
                        return false;
                    }
                    applied.add(rows.getString(1));
                }
            }
            return applied.equals(known.get());
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Refuses a database that is not Duplex's (objects in its schema but no schema history) and a
     * database migrated by a newer Duplex (applied versions this Duplex does not know). Needed only
     * when {@link #current()} is false.
     */
    void checkCompatible() {
        underMigrationLock(() -> {
            checkCompatibleHeld();
            return null;
        });
    }

    private void checkCompatibleHeld() {
        Optional<String> history = historyTable();
        if (history.isEmpty()) {
            List<String> foreign = objectsInSchema();
            if (!foreign.isEmpty()) {
                throw new IncompatibleDatabaseException("The database at " + where + " is not Duplex's: its schema holds "
                        + foreign.size() + " object(s) (" + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
                        + ") but no Duplex schema history; point " + DatabaseConfig.URL_PROPERTY
                        + " at an empty database or at Duplex's own");
            }
            return;
        }
        MigrationInfoService info = info();
        List<MigrationInfo> future = Arrays.stream(info.applied())
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .toList();
        if (!future.isEmpty()) {
            MigrationVersion newest = future.stream().map(MigrationInfo::getVersion).max(MigrationVersion::compareTo).orElseThrow();
            throw new IncompatibleDatabaseException("The database schema at " + where + " is at version " + newest
                    + ", newer than this Duplex (" + latestKnown().map(MigrationVersion::toString).orElse("none")
                    + "); upgrade Duplex");
        }
        List<String> failed = Arrays.stream(info.applied()).filter(m -> m.getState() == MigrationState.FAILED)
                .map(SchemaMigrator::describe).toList();
        if (!failed.isEmpty()) {
            throw new IncompatibleDatabaseException("The database schema at " + where + " has failed migration(s) "
                    + failed + "; restore the database from a backup or repair it by hand");
        }
    }

    /** The applied schema version, if any migration was applied. */
    Optional<String> currentVersion() {
        if (historyTable().isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(info().current()).map(m -> m.getVersion().toString());
    }

    /** The newest version this Duplex knows. */
    Optional<MigrationVersion> latestKnown() {
        return Arrays.stream(info().all())
                .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED)
                .map(MigrationInfo::getVersion)
                .filter(v -> v != null)
                .max(MigrationVersion::compareTo);
    }

    /** The migrations not applied yet, as {@code V2 jobs}. */
    List<String> pending() {
        return Arrays.stream(info().pending()).map(SchemaMigrator::describe).toList();
    }

    /** Applies the pending migrations; returns what it applied. */
    List<String> migrate() {
        if (current()) {
            return List.of();
        }
        return underMigrationLock(() -> {
            checkCompatibleHeld();
            try {
                MigrateResult result = flyway().migrate();
                List<String> applied = new ArrayList<>();
                result.migrations.forEach(m -> applied.add("V" + m.version + " " + m.description));
                return List.copyOf(applied);
            } catch (FlywayException e) {
                throw new DatabaseException("Migrating the database at " + where + " failed: " + SqlErrors.firstLine(e.getMessage())
                        + "; nothing of the failed migration was kept", e);
            }
        });
    }

    /**
     * Runs {@code work} holding the migration lock, on a connection of our own. Two processes
     * starting at once on a fresh database would otherwise race: one would see the other's
     * half-created history table and take the database for a foreign one.
     */
    private <T> T underMigrationLock(java.util.function.Supplier<T> work) {
        try (Connection lock = dataSource.getConnection(); Statement statement = lock.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                return work.get();
            } finally {
                statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        } catch (SQLException e) {
            throw new DatabaseException("Cannot take the migration lock of the database at " + where + ": "
                    + SqlErrors.firstLine(e.getMessage()), e);
        }
    }

    /** The advisory lock key that serializes migrations ("DXMIGRAT"). */
    private static final long MIGRATION_LOCK = 0x44584D4947524154L;

    private MigrationInfoService info() {
        try {
            return flyway().info();
        } catch (FlywayException e) {
            throw new DatabaseException("Cannot read the schema history of the database at " + where + ": "
                    + SqlErrors.firstLine(e.getMessage()), e);
        }
    }

    private static String describe(MigrationInfo migration) {
        return "V" + migration.getVersion() + " " + migration.getDescription();
    }

    private Optional<String> historyTable() {
        return query("SELECT to_regclass(current_schema() || '." + HISTORY_TABLE + "')::text").stream().filter(t -> t != null).findFirst();
    }

    private List<String> objectsInSchema() {
        return query("""
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                UNION ALL
                SELECT p.proname FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
                UNION ALL
                SELECT t.typname FROM pg_type t
                WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype IN ('e', 'd', 'c')
                  AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
                ORDER BY 1""");
    }

    private List<String> query(String sql) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw ConnectionFailures.translate(e, where, "?");
        }
    }
}
