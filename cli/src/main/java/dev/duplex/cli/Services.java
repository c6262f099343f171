package dev.duplex.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.duplex.engine.EngineModule;
import dev.duplex.engine.config.ConfigKey;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.driver.EndpointConnections;
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

    private Services(Database database, Injector injector) {
        this.database = database;
        this.injector = injector;
    }

    /** Starts (or joins) the database, migrates it, and builds the injector. */
    public static Services start(DuplexConfig config, DriverRegistry registry) {
        Database database = Database.start(databaseConfig(config));
        try {
            Injector injector = Guice.createInjector(Stage.DEVELOPMENT, new EngineModule(config, registry), new PersistenceModule(database));
            return new Services(database, injector);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    static DatabaseConfig databaseConfig(DuplexConfig config) {
        return new DatabaseConfig(config.home(), config.get(ConfigKey.DB_URL), config.get(ConfigKey.DB_USER),
                config.get(ConfigKey.DB_PASSWORD_FILE).map(Path::of), config.duration(ConfigKey.DB_IDLE_STOP));
    }

    /**
     * An engine service ({@code dev.duplex.engine.service}, {@code TokenService}): what a command calls.
     * Commands call no driver and write no inventory, job or audit row themselves;
     * {@code FrontendsCallServicesTest} holds them to it.
     */
    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        try {
            get(EndpointConnections.class).close();
        } finally {
            database.close();
        }
    }
}
