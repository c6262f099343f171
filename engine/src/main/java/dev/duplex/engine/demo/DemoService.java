package dev.duplex.engine.demo;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.role.RoleControllerSource;
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.engine.service.EndpointService;
import dev.duplex.engine.service.EnvironmentService;
import dev.duplex.engine.service.EngineFailoverService;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.UpgradeService;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VolumeService;
import dev.duplex.engine.upgrade.Drivers;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.UpgradeSettings;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * {@code duplex demo} and {@code duplex bench}: pairs of the demo application made, upgraded and
 * failed over through the application services, and measured. The frontend gives the application
 * ({@link DemoApplication}) and shows the {@link DemoProgress}; everything else happens here.
 */
public final class DemoService {
    final EndpointService endpoints;
    final ImageService images;
    final VolumeService volumes;
    final VmService vms;
    final PairService pairs;
    final EnvironmentService environments;
    final EngineFailoverService failovers;
    /** Read only: what the services made, by name. */
    final Inventory inventory;
    /** For the local driver's work folder (where a volume's content lies) and its image listing; never to change anything. */
    final EndpointConnections connections;
    final RoleControllers roleControllers;
    private final JobQueue jobs;
    private final AuditLog audit;
    private final UpgradeSettings settings;

    @Inject
    public DemoService(EndpointService endpoints, ImageService images, VolumeService volumes, VmService vms, PairService pairs,
            EnvironmentService environments, EngineFailoverService failovers, Inventory inventory, EndpointConnections connections,
            RoleControllers roleControllers, JobQueue jobs, AuditLog audit, DuplexConfig config) {
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
        this.images = requireNonNull(images, "images is null");
        this.volumes = requireNonNull(volumes, "volumes is null");
        this.vms = requireNonNull(vms, "vms is null");
        this.pairs = requireNonNull(pairs, "pairs is null");
        this.environments = requireNonNull(environments, "environments is null");
        this.failovers = requireNonNull(failovers, "failovers is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.roleControllers = requireNonNull(roleControllers, "roleControllers is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.settings = UpgradeService.settings(requireNonNull(config, "config is null"));
    }

    /** The upgrade demo of {@code application}, telling {@code progress}; what it changes is audited as the operating-system user. */
    public UpgradeDemo upgradeDemo(DemoApplication application, DemoProgress progress) {
        return new UpgradeDemo(this, application, progress, Actor.operatingSystemUser());
    }

    /**
     * The failover benchmark's pairs of {@code application}, on an endpoint with the local driver's
     * {@code start-settle-ms} when given.
     */
    public FailoverStopwatch failoverStopwatch(DemoApplication application, DemoProgress progress, Optional<Long> startSettleMs) {
        return new FailoverStopwatch(this, application, progress, Actor.operatingSystemUser(), startSettleMs);
    }

    /** The upgrade engine with this installation's settings and the pair's role controller as {@code roles} gives it. */
    RollingUpgrade upgrade(RoleControllerSource roles) {
        return new RollingUpgrade(inventory, jobs, audit, Drivers.of(connections), roles, settings);
    }
}
