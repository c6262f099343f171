package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ObjectName;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.failover.EndpointDrivers;
import dev.duplex.engine.failover.Failover;
import dev.duplex.engine.failover.FailoverPlan;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.failover.Fence;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.engine.upgrade.UpgradeSettings;
import jakarta.inject.Inject;
import java.time.Clock;

/**
 * Seed S400 as the frontends ask for it: a cold pair failed over to its standby as one journaled
 * job (fence, sync, start, promote, record the roles; audited as {@code pair.failover} with the
 * actor), or its plan, touching nothing. The job's node name and stale-after come from the same
 * settings as an upgrade's ({@link UpgradeService#settings}), so the two kinds of job are owned
 * and taken over alike. A failed phase stops the standby it started again; the message says what
 * state the pair is in.
 */
public final class EngineFailoverService implements FailoverService {
    private final Failover engine;

    @Inject
    public EngineFailoverService(Inventory inventory, EnvironmentArchive archive, JobQueue jobs, AuditLog audit, EndpointConnections connections,
            RoleControllers roleControllers, DuplexConfig config) {
        this(configured(inventory, archive, jobs, audit, EndpointDrivers.of(connections), roleControllers, UpgradeService.settings(config)));
    }

    public EngineFailoverService(Failover configured) {
        this.engine = requireNonNull(configured, "configured is null");
    }

    /** The engine with this installation's node name and stale-after. */
    static Failover configured(Inventory inventory, EnvironmentArchive archive, JobQueue jobs, AuditLog audit, EndpointDrivers drivers,
            RoleControllers roleControllers, UpgradeSettings settings) {
        return new Failover(inventory, archive, jobs, audit, drivers, roleControllers, new Fence(drivers), new EnvironmentSync(),
                settings.node(), settings.staleAfter(), Failover.PROMOTE_TIMEOUT, Clock.systemUTC(), System::nanoTime);
    }

    /**
     * Fails {@code pair} over to its standby.
     *
     * @param force go on when the old active cannot be confirmed off (risking two actives)
     * @param fullWrite write the standby's whole environment info, whatever the chooser says
     * @throws dev.duplex.engine.failover.FenceRefusedException when the old active cannot be confirmed off and {@code force} is false
     * @throws dev.duplex.engine.failover.FailoverException when a phase failed; the message says what state the pair is in
     */
    public FailoverReport failover(String pair, boolean force, boolean fullWrite, Actor actor) {
        ObjectName.check("pair", pair);
        requireNonNull(actor, "actor is null");
        return engine.failover(pair, force, fullWrite, actor.name());
    }

    /** What {@link #failover} would do now, refused for the same reasons before the fence; changes nothing. */
    public FailoverPlan plan(String pair, boolean fullWrite) {
        ObjectName.check("pair", pair);
        return engine.plan(pair, fullWrite);
    }
}
