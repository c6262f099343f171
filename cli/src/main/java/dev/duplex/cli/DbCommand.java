package dev.duplex.cli;

import dev.duplex.persistence.Database;
import dev.duplex.persistence.DatabaseConfig;
import dev.duplex.persistence.DatabaseStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("location", "embedded");
                fields.put("embedded", true);
                fields.put("server", "stopped");
                fields.put("data_directory", config.embeddedFolder().resolve("data").toString());
                fields.put("idle_stop", config.idleStop().toString());
                context.printer().fields(output.format(), fields);
                return;
            }
            try (Database database = Database.connect(config)) {
                DatabaseStatus status = database.status();
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("location", status.location());
                fields.put("embedded", status.embedded());
                fields.put("schema_version", status.schemaVersion().orElse("empty"));
                fields.put("latest_known_version", status.latestKnownVersion().orElse("-"));
                fields.put("pending_migrations", status.pendingMigrations());
                status.server().ifPresent(server -> {
                    fields.put("server", "running");
                    fields.put("postgres_pid", server.postmasterPid());
                    fields.put("port", server.port());
                    fields.put("socket", server.socket().toString());
                    fields.put("data_directory", server.dataDirectory().toString());
                    fields.put("started_by_pid", server.owner().startedByPid());
                    fields.put("started_by", server.owner().startedByCommand());
                    fields.put("started_at", server.owner().startedAt().toString());
                    fields.put("started_by_this_process", server.startedByThisProcess());
                    fields.put("duplex_processes_using_it", server.users());
                    fields.put("idle_stop", server.idleStop().toString());
                    fields.put("stops_at", server.stopsAt().map(Object::toString)
                            .orElse(server.idleStop().isZero() ? "when the last Duplex process exits"
                                    : "after the last of the " + server.users() + " Duplex processes exits, plus " + server.idleStop()));
                });
                context.printer().fields(output.format(), fields);
            }
        }
    }

    @Command(name = "migrate", description = "Apply pending schema migrations (every command does this on start; this one only migrates).", footer = {"", "Examples:", "  duplex db migrate"})
    static final class Migrate implements Runnable {
        private final CliContext context;

        Migrate(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            try (Database database = Database.connect(Services.databaseConfig(context.config()))) {
                List<String> applied = database.migrate();
                context.out().println(applied.isEmpty() ? "Schema is up to date at version "
                        + database.status().schemaVersion().orElse("-") : "Applied: " + String.join(", ", applied));
                context.out().flush();
            }
        }
    }

    @Command(name = "stop", description = {"Stop the embedded PostgreSQL now.",
        "Refused while other Duplex processes use it (a command or an upgrade in progress, a server); --force stops it under them."}, footer = {"", "Examples:", "  duplex db stop"})
    static final class Stop implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Option(names = "--force", description = "Stop it even while other Duplex processes use it (their work fails).")
        boolean force;

        Stop(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            boolean stopped = force ? Database.stopEmbedded(context.config().home()) : Database.stopEmbeddedWhenUnused(context.config().home());
            context.out().println(stopped ? "Embedded PostgreSQL stopped" : "No embedded PostgreSQL was running under " + context.config().home());
            context.out().flush();
        }
    }
}
