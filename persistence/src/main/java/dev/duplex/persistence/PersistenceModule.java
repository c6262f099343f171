package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.job.JobHistory;
import dev.duplex.engine.job.JobQueue;
import org.jdbi.v3.core.Jdbi;

/**
 * Binds the engine's ports to their PostgreSQL implementations over a started {@link Database}.
 * The caller owns the database: it starts it before creating the injector and closes it on exit.
 *
 * <pre>{@code
 * try (Database database = Database.start(DatabaseConfig.fromProperties(home, properties))) {
 *     Injector injector = Guice.createInjector(new PersistenceModule(database), ...);
 *     Inventory inventory = injector.getInstance(Inventory.class);
 * }
 * }</pre>
 */
public final class PersistenceModule extends AbstractModule {
    private final Database database;

    public PersistenceModule(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    @Override
    protected void configure() {
        bind(Database.class).toInstance(database);
        bind(Jdbi.class).toInstance(database.jdbi());
        bind(Inventory.class).to(JdbiInventory.class).in(Scopes.SINGLETON);
        bind(JobQueue.class).to(JdbiJobQueue.class).in(Scopes.SINGLETON);
        bind(JobHistory.class).to(JdbiJobQueue.class).in(Scopes.SINGLETON);
        bind(AuditLog.class).to(JdbiAuditLog.class).in(Scopes.SINGLETON);
        bind(EnvironmentArchive.class).to(JdbiEnvironmentArchive.class).in(Scopes.SINGLETON);
        bind(dev.duplex.engine.token.ApiTokens.class).to(JdbiApiTokens.class).in(Scopes.SINGLETON);
        bind(dev.duplex.engine.fleet.PairLabels.class).to(JdbiPairLabels.class).in(Scopes.SINGLETON);
        bind(dev.duplex.engine.fleet.DatabaseConnections.class).toInstance(database::ensureConnections);
    }
}
