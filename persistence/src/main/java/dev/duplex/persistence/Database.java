package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Duplex's database, started and checked.
 *
 * <p>{@link #start(DatabaseConfig)} connects to the configured PostgreSQL, or starts (or joins)
 * the embedded one under {@code <home>/db}, refuses a database that is not Duplex's or was
 * migrated by a newer Duplex, and applies pending migrations. {@link #connect(DatabaseConfig)}
 * does the same without migrating, for {@code duplex db status} and {@code duplex db migrate}.
 * Every failure is one {@link DatabaseException} line with the URL redacted, and leaves nothing
 * behind: an embedded server this call started is stopped again.
 *
 * <p>{@link #close()} releases the embedded server; when the last Duplex process using it leaves,
 * it stays up for the configured idle time ({@link DatabaseConfig#idleStop()}), then stops.
 */
public final class Database implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Database.class);
    /** Connections left to other processes (commands, a server, psql) when a fleet grows the pool. */
    static final int LEFT_TO_OTHERS = 10;

    private final DatabaseConfig config;
    private final String location;
    /** The connections a migration holds at once: the migration lock's and Flyway's two. */
    private static final int MIGRATION_CONNECTIONS = 4;

    private final Jdbi jdbi;
    private final SchemaMigrator migrator;
    private final Optional<EmbeddedServer> embedded;
    private final HikariDataSource pool;
    /** The schema history held exactly this Duplex's migrations when connecting: nothing to migrate. */
    private final boolean schemaCurrent;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Releases the embedded server on Ctrl-C too, so that the last process to exit stops it. */
    private final Thread closeOnExit = new Thread(this::close, "duplex-database-close");

    /**
     * @param dataSource what the application connects as (on the embedded server: the
     *     non-superuser application role)
     * @param migrationSource what migrations connect as (on the embedded server: the superuser;
     *     on an external one: the configured user, as for everything else)
     */
    private Database(DatabaseConfig config, String location, HikariDataSource pool, Optional<DataSource> migrationSource,
            Optional<EmbeddedServer> embedded) {
        this.config = config;
        this.location = location;
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
        this.jdbi.setSqlLogger(new StatementLog());
        this.migrator = new SchemaMigrator(migrationSource.orElse(pool), pool, location);
        this.embedded = embedded;
        // one query on the pool's open connection; only a database that is not current costs the
        // migration user's logins (the superuser's, on the embedded server) and Flyway
        this.schemaCurrent = migrator.current();
    }

    /** Connects (starting the embedded server if configured so), checks the schema and migrates it. */
    public static Database start(DatabaseConfig config) {
        Database database = connect(config);
        try {
            if (!database.schemaCurrent) {
                database.migrate();
            }
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Connects (starting the embedded server if configured so) and checks the schema, without migrating. */
    public static Database connect(DatabaseConfig config) {
        requireNonNull(config, "config is null");
        Optional<EmbeddedServer> embedded = config.isEmbedded()
                ? Optional.of(EmbeddedServer.startOrJoin(config.home(), config.embeddedFolder(), config.idleStop()))
                : Optional.empty();
        try {
            DataSource application;
            Optional<DataSource> migration = Optional.empty();
            String user;
            String location;
            if (embedded.isPresent()) {
                location = embedded.get().jdbcUrl();
                user = EmbeddedServer.USER;
                application = embedded.get().applicationSource();
                migration = Optional.of(embedded.get().migrationSource());
            } else {
                PGSimpleDataSource dataSource = new PGSimpleDataSource();
                location = config.redactedUrl();
                user = config.user().orElse(System.getProperty("user.name"));
                try {
                    dataSource.setURL(config.url().orElseThrow());
                } catch (IllegalArgumentException e) {
                    throw new DatabaseException("Invalid " + DatabaseConfig.URL_PROPERTY + " " + location + ": "
                            + SqlErrors.firstLine(e.getMessage()), null);
                }
                dataSource.setUser(user);
                config.readPassword().ifPresent(dataSource::setPassword);
                dataSource.setConnectTimeout(10);
                dataSource.setLoginTimeout(10);
                dataSource.setApplicationName("duplex");
                application = dataSource;
            }
            Database database = new Database(config, location, openPool(application, config.poolSize(), location, user), migration,
                    embedded);
            try {
                if (!database.schemaCurrent) {
                    database.migrator.checkCompatible();
                }
            } catch (RuntimeException e) {
                database.pool.close();
                throw e;
            }
            if (embedded.isPresent()) {
                Runtime.getRuntime().addShutdownHook(database.closeOnExit);
            }
            return database;
        } catch (RuntimeException e) {
            embedded.ifPresent(EmbeddedServer::close);
            throw e;
        }
    }

    /**
     * Stops the embedded server under {@code home} even while other Duplex processes use it
     * ({@code duplex db stop --force}). Returns false when none was running.
     */
    public static boolean stopEmbedded(Path home) {
        return EmbeddedServer.stop(DatabaseConfig.embedded(home).embeddedFolder(), true);
    }

    /**
     * Stops the embedded server under {@code home} ({@code duplex db stop}); returns false when none
     * was running.
     *
     * @throws DatabaseInUseException while Duplex processes use it (a command, a job, a server), naming them
     */
    public static boolean stopEmbeddedWhenUnused(Path home) {
        return EmbeddedServer.stop(DatabaseConfig.embedded(home).embeddedFolder(), false);
    }

    /** The embedded server under {@code home} if one runs, without starting or joining it. */
    public static Optional<EmbeddedServerStatus> embeddedServer(Path home) {
        return EmbeddedServer.probe(DatabaseConfig.embedded(home).embeddedFolder());
    }

    /** The pool, with its first connection open: a wrong password or a server that is down fails here in one line. */
    private static HikariDataSource openPool(DataSource dataSource, int size, String location, String user) {
        try {
            return PooledConnections.open(dataSource, size, "duplex");
        } catch (SQLException e) {
            throw ConnectionFailures.translate(e, location, user);
        }
    }

    /** The most connections the pool opens now. */
    public int poolSize() {
        return pool.getHikariConfigMXBean().getMaximumPoolSize();
    }

    /**
     * Lets the pool open up to {@code wanted} connections (a fleet's in-flight pairs each write
     * their journal), never shrinking it, and within what the server grants: its
     * {@code max_connections} less the superuser's reserve, the connections other clients hold now,
     * and {@value #LEFT_TO_OTHERS} for commands started later. Returns the pool's size after;
     * a size cut by the server is logged with the setting to raise.
     */
    public int ensureConnections(int wanted) {
        if (wanted < 1 || wanted > DatabaseConfig.MAX_POOL_SIZE) {
            throw new IllegalArgumentException("a pool holds 1 to " + DatabaseConfig.MAX_POOL_SIZE + " connections, not " + wanted);
        }
        synchronized (pool) {
            int current = poolSize();
            if (wanted <= current) {
                return current;
            }
            int ours = pool.getHikariPoolMXBean().getTotalConnections();
            int grantable = jdbi.withHandle(h -> h.createQuery("""
                    SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
                           - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int""")
                    .mapTo(Integer.class).one()) + ours - LEFT_TO_OTHERS;
            int size = Math.max(current, Math.min(wanted, grantable));
            if (size < wanted) {
                log.warn("{} grants this process {} connections, not the {} wanted; pairs beyond that wait for one."
                        + " Raise max_connections on the server{}", location, size, wanted,
                        embedded.isPresent() ? " (the embedded one is started with " + Cluster.MAX_CONNECTIONS + "; one started by an older"
                                + " Duplex keeps its own until it restarts)" : "");
            }
            pool.getHikariConfigMXBean().setMaximumPoolSize(size);
            return size;
        }
    }

    /** The Jdbi handle factory the repositories use. */
    public Jdbi jdbi() {
        return jdbi;
    }

    public DatabaseConfig config() {
        return config;
    }

    /** Applies pending migrations (refusing a newer or foreign schema); returns what was applied, as {@code V2 jobs}. */
    public List<String> migrate() {
        // On an external server migrations run on the pool: the migration lock's connection and
        // Flyway's two would wait on each other in a pool configured smaller (duplex.db.pool-size=2).
        int configured = poolSize();
        boolean grown = configured < MIGRATION_CONNECTIONS;
        if (grown) {
            synchronized (pool) {
                pool.getHikariConfigMXBean().setMaximumPoolSize(MIGRATION_CONNECTIONS);
            }
        }
        List<String> applied;
        try {
            applied = migrator.migrate();
        } finally {
            if (grown) {
                synchronized (pool) {
                    if (poolSize() == MIGRATION_CONNECTIONS) {
                        pool.getHikariConfigMXBean().setMaximumPoolSize(configured);
                    }
                }
            }
        }
        if (!applied.isEmpty()) {
            // tables a migration created: the application role's privileges, append-only audit_log included
            embedded.ifPresent(EmbeddedServer::grantApplication);
        }
        return applied;
    }

    /** Where the database is, its schema version, pending migrations, and the embedded server's process. */
    public DatabaseStatus status() {
        return new DatabaseStatus(location, embedded.isPresent(), migrator.currentVersion(),
                migrator.latestKnown().map(Object::toString), migrator.pending(),
                embedded.map(EmbeddedServer::status));
    }

    /**
     * Closes the connections and releases the embedded server (the last process to release it stops
     * it). Idempotent; also run at JVM exit (not at {@code kill -9}: then the server stays up and
     * the next Duplex process joins it).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (embedded.isPresent() && Thread.currentThread() != closeOnExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(closeOnExit);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs or ran this
            }
        }
        pool.close();
        embedded.ifPresent(EmbeddedServer::close);
    }

    @Override
    public String toString() {
        return "Database[" + location + "]";
    }
}
