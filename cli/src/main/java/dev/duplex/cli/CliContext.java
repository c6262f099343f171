package dev.duplex.cli;

import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.config.DuplexHome;
import dev.duplex.engine.driver.DriverRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every command of one invocation shares: the installation, the resolved configuration,
 * the driver registry, and (started on first use, closed at exit) the database and engine
 * services. Commands that need no database, such as {@code duplex drivers}, never start it.
 */
public final class CliContext implements AutoCloseable {
    private final Installation installation;
    private final Map<String, String> environment;
    private final PrintWriter out;
    private final PrintWriter err;
    private final StartupTrace trace;
    private Path configFile;
    private boolean verbose;
    private DuplexConfig config;
    private DriverRegistry registry;
    private Services services;
    private String serverUrl;
    private Path tokenFile;

    public CliContext(Installation installation, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        this(installation, environment, out, err, new StartupTrace(err, false));
    }

    CliContext(Installation installation, Map<String, String> environment, PrintWriter out, PrintWriter err, StartupTrace trace) {
        this.installation = installation;
        this.environment = Map.copyOf(environment);
        this.out = out;
        this.err = err;
        this.trace = trace;
    }

    void configFile(Path file) {
        this.configFile = file;
    }

    void serverUrl(String url) {
        this.serverUrl = url;
    }

    void tokenFile(Path file) {
        this.tokenFile = file;
    }

    /** The server the CLI works through (--server, else duplex.server.url / DUPLEX_SERVER_URL), if any. */
    public Optional<String> server() {
        return Optional.ofNullable(serverUrl).or(() -> config().get(dev.duplex.engine.config.ConfigKey.SERVER_URL))
                .filter(url -> !url.isBlank());
    }

    /** True when commands reach the services through a server, so this process starts no database. */
    public boolean remote() {
        return server().isPresent();
    }

    void verbose(boolean verbose) {
        this.verbose = verbose;
    }

    public boolean verbose() {
        return verbose;
    }

    public Installation installation() {
        return installation;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    public Printer printer() {
        return new Printer(out);
    }

    public synchronized DuplexConfig config() {
        if (config == null) {
            List<Path> files = new ArrayList<>();
            installation.configFile().ifPresent(files::add);
            List<Path> required = new ArrayList<>();
            if (configFile != null) {
                files.add(configFile);
                required.add(configFile);
            }
            config = DuplexConfig.resolve(files, required, environment, System.getProperties());
            DuplexHome.prepare(config.home());
            // Read by LogFile when the first logger is created, which happens after this.
            System.setProperty("duplex.internal.log.dir", config.home().resolve("logs").toString());
            System.setProperty("duplex.internal.log.level", config.get(dev.duplex.engine.config.ConfigKey.LOG_LEVEL).orElse("INFO"));
            System.setProperty("duplex.internal.log.format", config.get(dev.duplex.engine.config.ConfigKey.LOG_FORMAT).orElse("text"));
            LogContext.reconfigure();
            trace.phase("configuration and logging");
        }
        return config;
    }

    public synchronized DriverRegistry registry() {
        if (registry == null) {
            Optional<Path> plugins = config().get(dev.duplex.engine.config.ConfigKey.PLUGINS_DIR).map(Path::of)
                    .or(installation::pluginsDirectory);
            registry = DriverRegistry.onDemand(CliContext.class.getClassLoader(), plugins); // plugins opened only when a command needs one
            trace.phase("driver registry");
        }
        return registry;
    }

    /**
     * The engine services, on first use: through the server when one is given (nothing is started
     * here then), else database-backed in this process.
     */
    public synchronized Services services() {
        if (services == null) {
            Optional<String> server = server();
            if (server.isPresent()) {
                Path token = Optional.ofNullable(tokenFile).or(() -> config().get(dev.duplex.engine.config.ConfigKey.SERVER_TOKEN_FILE).map(Path::of))
                        .orElseGet(() -> config().home().resolve("token"));
                services = Services.remote(dev.duplex.cli.remote.RemoteServices.of(server.get(), token, err));
            } else {
                services = localServices();
            }
        }
        return services;
    }

    /** The database-backed services in this process, whatever --server says: for 'duplex server' itself. */
    public synchronized Services localServices() {
        if (services == null) {
            DuplexConfig resolved = config();
            DriverRegistry drivers = registry();
            services = Services.start(resolved, drivers, trace);
        }
        return services;
    }

    @Override
    public synchronized void close() {
        if (services != null) {
            services.close();
            services = null;
            trace.phase("close (database released)");
        }
    }
}
