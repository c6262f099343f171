package dev.duplex.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.duplex.engine.EngineModule;
import dev.duplex.engine.config.ConfigKey;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.cli.remote.RemoteServices;
import dev.duplex.persistence.Database;
import dev.duplex.persistence.DatabaseConfig;
import dev.duplex.persistence.PersistenceModule;
import java.nio.file.Path;

/**
 * The database and the engine's services for one invocation, built from the same Guice
 * modules as the server's. Closing it closes driver connections, then releases the database
 * (the embedded PostgreSQL stays up for duplex.db.idle-stop after the last Duplex process leaves it).
 */
public final class Services implements AutoCloseable {
    private final Database database;
    private final Injector injector;
    /** Set when the CLI works through a server: then there is no database or injector here at all. */
    private final RemoteServices remote;

    private Services(Database database, Injector injector) {
        this.database = database;
        this.injector = injector;
        this.remote = null;
    }

    private Services(RemoteServices remote) {
        this.database = null;
        this.injector = null;
        this.remote = remote;
    }

    /** The services as a Duplex server answers them: nothing is started here. */
    public static Services remote(RemoteServices remote) {
        return new Services(java.util.Objects.requireNonNull(remote, "remote is null"));
    }

    /** Starts (or joins) the database, migrates it, and builds the injector. */
    public static Services start(DuplexConfig config, DriverRegistry registry) {
        return start(config, registry, new StartupTrace(new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()), false));
    }

    static Services start(DuplexConfig config, DriverRegistry registry, StartupTrace trace) {
        Database database = Database.start(databaseConfig(config));
        trace.phase("database");
        try {
            Injector injector = Guice.createInjector(Stage.DEVELOPMENT, new EngineModule(config, registry), new PersistenceModule(database));
            trace.phase("injector");
            return new Services(database, injector);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    static DatabaseConfig databaseConfig(DuplexConfig config) {
        return new DatabaseConfig(config.home(), config.get(ConfigKey.DB_URL), config.get(ConfigKey.DB_USER),
                config.get(ConfigKey.DB_PASSWORD_FILE).map(Path::of), config.duration(ConfigKey.DB_IDLE_STOP),
                config.get(ConfigKey.DB_POOL_SIZE).map(Integer::parseInt).orElse(DatabaseConfig.DEFAULT_POOL_SIZE));
    }

    /** The service of {@code type} where this transport offers it (a server offers fewer than this host's database). */
    public <T> java.util.Optional<T> find(Class<T> type) {
        return remote != null ? remote.find(type) : java.util.Optional.of(injector.getInstance(type));
    }

    /**
     * An engine service ({@code dev.duplex.engine.service}, {@code TokenService}): what a command calls.
     * Commands call no driver and write no inventory, job or audit row themselves;
     * {@code FrontendsCallServicesTest} holds them to it.
     */
    public <T> T get(Class<T> type) {
        if (remote != null) {
            return remote.get(type);
        }
        return injector.getInstance(type);
    }

    public Database database() {
        if (remote != null) {
            throw remote.notOffered();
        }
        return database;
    }

    @Override
    public void close() {
        if (remote != null) {
            return; // nothing was opened here
        }
        try {
            get(EndpointConnections.class).close();
        } finally {
            database.close();
        }
    }
}
