package dev.duplex.cli;

import dev.duplex.persistence.Database;
import dev.duplex.persistence.DatabaseStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code duplex db status|migrate|stop}. */
@Command(name = "db", description = {
    "The inventory database.",
    "With no duplex.db.url configured, Duplex runs an embedded PostgreSQL under $DUPLEX_HOME/db,",
    "started by the first Duplex process that needs it and shared by the others. It listens only",
    "on a Unix socket in a 0700 folder (no TCP); its passwords are in 0600 files under db/."
}, subcommands = {DbCommand.Status.class, DbCommand.Migrate.class, DbCommand.Stop.class})
public final class DbCommand {
    @Command(name = "status", description = "Where the database is, its schema version, pending migrations, and which process runs the embedded server.")
    static final class Status implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            try (Database database = Database.connect(Services.databaseConfig(context.config()))) {
                DatabaseStatus status = database.status();
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("location", status.location());
                fields.put("embedded", status.embedded());
                fields.put("schema_version", status.schemaVersion().orElse("empty"));
                fields.put("latest_known_version", status.latestKnownVersion().orElse("-"));
                fields.put("pending_migrations", status.pendingMigrations());
                status.server().ifPresent(server -> {
                    fields.put("postgres_pid", server.postmasterPid());
                    fields.put("port", server.port());
                    fields.put("socket", server.socket().toString());
                    fields.put("data_directory", server.dataDirectory().toString());
                    fields.put("started_by_pid", server.owner().startedByPid());
                    fields.put("started_by", server.owner().startedByCommand());
                    fields.put("started_at", server.owner().startedAt().toString());
                    fields.put("started_by_this_process", server.startedByThisProcess());
                    fields.put("duplex_processes_using_it", server.users());
                });
                context.printer().fields(output.format(), fields);
            }
        }
    }

    @Command(name = "migrate", description = "Apply pending schema migrations (every command does this on start; this one only migrates).")
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

    @Command(name = "stop", description = "Stop the embedded PostgreSQL, even while other Duplex processes use it.")
    static final class Stop implements Runnable {
        private final CliContext context;

        Stop(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            boolean stopped = Database.stopEmbedded(context.config().home());
            context.out().println(stopped ? "Embedded PostgreSQL stopped" : "No embedded PostgreSQL was running under " + context.config().home());
            context.out().flush();
        }
    }
}
