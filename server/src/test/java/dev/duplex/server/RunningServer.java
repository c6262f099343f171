package dev.duplex.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.duplex.engine.EngineModule;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.persistence.Database;
import dev.duplex.persistence.DatabaseConfig;
import dev.duplex.persistence.PersistenceModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A real embedded PostgreSQL under a fresh home, the engine's and persistence's modules as the CLI
 * builds them, and servers started from them the way {@code duplex server} does.
 */
final class RunningServer implements AutoCloseable {
    final Path home;
    final DuplexConfig config;
    final Database database;
    final Injector injector;

    RunningServer() throws IOException {
        this(Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "duplex-server-test"), "duplex.job.stale-after=PT5S\n");
    }

    /**
     * The installation in folder {@code home}: its {@code duplex.properties} is written with
     * {@code settings} when it has none yet, else used as it is (a second process joining it).
     */
    RunningServer(Path home, String settings) throws IOException {
        this.home = home;
        Path file = home.resolve("duplex.properties");
        if (!Files.exists(file)) {
            Files.writeString(file, "duplex.home=" + home.resolve("home") + "\nduplex.db.idle-stop=PT0S\n" + settings);
        }
        config = DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties());
        database = Database.start(new DatabaseConfig(config.home(), Optional.empty(), Optional.empty(), Optional.empty()));
        injector = Guice.createInjector(Stage.PRODUCTION, new EngineModule(config, DriverRegistry.discover(getClass().getClassLoader(),
                Optional.empty())), new PersistenceModule(database));
    }

    /** A server on a free loopback port with these settings' transport. */
    DuplexServer start(ServerSettings settings) {
        return injector.createChildInjector(new ServerModule(settings)).getInstance(DuplexServer.class).start();
    }

    static ServerSettings loopback() {
        return new ServerSettings("127.0.0.1", 0, Optional.empty(), false, java.time.Duration.ofSeconds(60));
    }

    <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    @Override
    public void close() {
        try {
            get(dev.duplex.engine.driver.EndpointConnections.class).close();
        } finally {
            database.close();
        }
    }
}
