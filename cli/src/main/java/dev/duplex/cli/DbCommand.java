package dev.duplex.cli;

import dev.duplex.persistence.Database;
import dev.duplex.persistence.DatabaseConfig;
import dev.duplex.persistence.DatabaseStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code duplex db status|migrate|stop}. */
@Command(name = "db", description = {
    "The inventory database.",
    "With no duplex.db.url configured, Duplex runs an embedded PostgreSQL under $DUPLEX_HOME/db,",
    "started by the first Duplex process that needs it and shared by the others. It stays up",
    "between commands and stops once unused for duplex.db.idle-stop (default 10 minutes) or at",
    "'duplex db stop'. It listens only on a Unix socket in a 0700 folder (no TCP); its passwords",
    "are in 0600 files under db/."
}, footer = {"", "Examples:", "  duplex db status"}, subcommands = {DbCommand.Status.class, DbCommand.Migrate.class, DbCommand.Stop.class})
public final class DbCommand {
    @Command(name = "status", description = "Where the database is, its schema version, pending migrations, and which process runs the embedded server.", footer = {"", "Examples:", "  duplex db status --output json"})
    static final class Status implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            DatabaseConfig config = Services.databaseConfig(context.config());
            if (config.isEmbedded() && Database.embeddedServer(config.home()).isEmpty()) {
                // status starts nothing: a stopped server is a state to report
                context.printer().object(output, stopped(config));
                return;
            }
            try (Database database = Database.connect(config)) {
                context.printer().object(output, view(database.status(), config));
            }
        }
    }

    /**
     * The database as docs/output.md describes it (kind "database"): every key is always there;
     * what a stopped or external server cannot say is null.
     */
    static Map<String, Object> view(DatabaseStatus status, DatabaseConfig config) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("location", status.location());
        view.put("embedded", status.embedded());
        view.put("server", status.embedded() ? status.server().isPresent() ? "running" : "stopped" : "external");
        view.put("schema_version", status.schemaVersion().map(DbCommand::version));
        view.put("latest_known_version", status.latestKnownVersion().map(DbCommand::version));
        view.put("pending_migrations", status.pendingMigrations());
        var server = status.server();
        view.put("postgres_pid", server.map(s -> s.postmasterPid()));
        view.put("port", server.map(s -> s.port()));
        view.put("socket", server.map(s -> s.socket()));
        view.put("data_directory", server.map(s -> (Object) s.dataDirectory()).orElse(status.embedded() ? config.embeddedFolder().resolve("data") : null));
        view.put("started_by_pid", server.map(s -> s.owner().startedByPid()));
        view.put("started_by", server.map(s -> s.owner().startedByCommand()));
        view.put("started_at", server.map(s -> s.owner().startedAt()));
        view.put("started_by_this_process", server.map(s -> s.startedByThisProcess()));
        view.put("duplex_processes_using_it", server.map(s -> s.users()));
        view.put("idle_stop_ms", server.map(s -> s.idleStop()).orElse(config.idleStop()));
        // null while Duplex processes use it: it stops idle_stop_ms after the last of them leaves
        view.put("stops_at", server.flatMap(s -> s.stopsAt()));
        return view;
    }

    private static Map<String, Object> stopped(DatabaseConfig config) {
        Map<String, Object> view = view(new DatabaseStatus("embedded", true, java.util.Optional.empty(), java.util.Optional.empty(),
                List.of(), java.util.Optional.empty()), config);
        return view;
    }

    /** A Flyway version of ours ("5") as the integer it is. */
    private static long version(String version) {
        return Long.parseLong(version);
    }

    @Command(name = "migrate", description = "Apply pending schema migrations (every command does this on start; this one only migrates).", footer = {"", "Examples:", "  duplex db migrate"})
    static final class Migrate implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Migrate(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            try (Database database = Database.connect(Services.databaseConfig(context.config()))) {
                List<String> applied = database.migrate();
                Optional<String> version = database.status().schemaVersion();
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("applied", applied);
                view.put("schema_version", version.map(DbCommand::version));
                context.printer().changed(output, applied.isEmpty() ? "Schema is up to date at version " + version.orElse("-")
                        : "Applied: " + String.join(", ", applied), view);
            }
        }
    }

    @Command(name = "stop", description = {"Stop the embedded PostgreSQL now.",
        "Refused while other Duplex processes use it (a command or an upgrade in progress, a server); --force stops it under them."}, footer = {"", "Examples:", "  duplex db stop"})
    static final class Stop implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Option(names = "--force", description = "Stop it even while other Duplex processes use it (their work fails).")
        boolean force;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Stop(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            boolean stopped = force ? Database.stopEmbedded(context.config().home()) : Database.stopEmbeddedWhenUnused(context.config().home());
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("stopped", stopped);
            view.put("home", context.config().home());
            if (output.structured()) {
                context.printer().object(output, view);
            } else {
                context.out().println(stopped ? "Embedded PostgreSQL stopped" : "No embedded PostgreSQL was running under " + context.config().home());
                context.out().flush();
            }
        }
    }
}
