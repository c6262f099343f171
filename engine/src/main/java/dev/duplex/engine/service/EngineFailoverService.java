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
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeSettings;
import jakarta.inject.Inject;
import dev.duplex.engine.job.ForwardingJobQueue;
import dev.duplex.engine.job.Job;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

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
    @Override
    public FailoverReport failover(String pair, boolean force, boolean fullWrite, Actor actor, UpgradeListener progress) {
        ObjectName.check("pair", pair);
        requireNonNull(actor, "actor is null");
        return engine.failover(pair, force, fullWrite, actor.name(), progress);
    }

    /**
     * {@link #failover}, its job journaled through {@code journal} applied to the job queue: a
     * decorator that watches the journal (the failover benchmark's stopwatch on the phases) and
     * passes every call on.
     */
    public FailoverReport failover(String pair, boolean force, boolean fullWrite, Actor actor, UnaryOperator<JobQueue> journal) {
        ObjectName.check("pair", pair);
        requireNonNull(actor, "actor is null");
        return engine.withJobs(journal).failover(pair, force, fullWrite, actor.name());
    }

    /** A failover started in the background: its job's number, and its report when it ends. */
    public record StartedFailover(long jobId, CompletableFuture<FailoverReport> report) {
        public StartedFailover {
            requireNonNull(report, "report is null");
        }
    }

    /**
     * Starts {@link #failover} on {@code executor}, for a frontend that answers before the work is
     * done (the server's 202), and returns once its job exists. The failover's refusals that
     * touch nothing (an unknown or hot pair, no promoting role controller, a running standby, a
     * standby newer than the active's record, a live job on the pair) are thrown here, so the
     * frontend can answer them at once; what happens later is in the job.
     */
    public StartedFailover start(String pair, boolean force, boolean fullWrite, Actor actor, Executor executor) {
        return start(pair, force, fullWrite, actor, executor, UnaryOperator.identity());
    }

    /** {@link #start(String, boolean, boolean, Actor, Executor)}, its job journaled through {@code journal} (see {@link #failover(String, boolean, boolean, Actor, UnaryOperator)}). */
    public StartedFailover start(String pair, boolean force, boolean fullWrite, Actor actor, Executor executor, UnaryOperator<JobQueue> journal) {
        return start(pair, force, fullWrite, actor, executor, journal, UpgradeListener.NONE);
    }

    /** {@link #start(String, boolean, boolean, Actor, Executor, UnaryOperator)}, telling {@code progress} of its phases and waits. */
    public StartedFailover start(String pair, boolean force, boolean fullWrite, Actor actor, Executor executor, UnaryOperator<JobQueue> journal,
            UpgradeListener progress) {
        plan(pair, fullWrite);
        requireNonNull(progress, "progress is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(journal, "journal is null");
        JobLaunch<FailoverReport> launch = JobLaunch.start(created -> engine.withJobs(jobs -> new ForwardingJobQueue(journal.apply(jobs)) {
            @Override
            public Job createClaimed(String kind, String target, String requestedBy, Map<String, String> parameters, String node) {
                Job job = super.createClaimed(kind, target, requestedBy, parameters, node); // how a failover creates its job
                created.complete(job.id());
                return job;
            }
        }).failover(pair, force, fullWrite, actor.name(), progress), FailoverReport::jobId, executor, "the failover of pair " + pair);
        return new StartedFailover(launch.jobId(), launch.report());
    }

    /** What {@link #failover} would do now, refused for the same reasons before the fence; changes nothing. */
    @Override
    public FailoverPlan plan(String pair, boolean fullWrite) {
        ObjectName.check("pair", pair);
        return engine.plan(pair, fullWrite);
    }
}
