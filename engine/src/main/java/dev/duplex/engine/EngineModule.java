package dev.duplex.engine;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.demo.DemoService;
import dev.duplex.engine.driver.DriverRegistry;
import dev.duplex.engine.role.RoleControllers;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.service.EngineEndpointService;
import dev.duplex.engine.service.EndpointService;
import dev.duplex.engine.service.EngineEnvironmentService;
import dev.duplex.engine.service.EnvironmentService;
import dev.duplex.engine.service.EngineFailoverService;
import dev.duplex.engine.service.FailoverService;
import dev.duplex.engine.service.EngineImageService;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.EngineJobService;
import dev.duplex.engine.service.JobService;
import dev.duplex.engine.service.EnginePairService;
import dev.duplex.engine.service.PairService;
import dev.duplex.engine.service.EngineUpgradeService;
import dev.duplex.engine.service.UpgradeService;
import dev.duplex.engine.service.EngineVmService;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.EngineVolumeService;
import dev.duplex.engine.service.VolumeService;

/**
 * The engine's Guice module. CLI and server build their injector from this module and the
 * persistence module, so both drive pairs the same way.
 */
public final class EngineModule extends AbstractModule {
    private final DuplexConfig config;
    private final DriverRegistry registry;

    public EngineModule(DuplexConfig config, DriverRegistry registry) {
        this.config = requireNonNull(config, "config is null");
        this.registry = requireNonNull(registry, "registry is null");
    }

    @Override
    protected void configure() {
        binder().disableCircularProxies();
        bind(DuplexConfig.class).toInstance(config);
        bind(DriverRegistry.class).toInstance(registry);
        // The application services: stateless, so unscoped; each is built only when a command or route asks for it.
        bind(AuditTrail.class);
        bind(EndpointService.class).to(EngineEndpointService.class);
        bind(ImageService.class).to(EngineImageService.class);
        bind(VolumeService.class).to(EngineVolumeService.class);
        bind(VmService.class).to(EngineVmService.class);
        bind(PairService.class).to(EnginePairService.class);
        bind(JobService.class).to(EngineJobService.class);
        bind(EnvironmentService.class).to(EngineEnvironmentService.class);
        bind(FailoverService.class).to(EngineFailoverService.class);
        bind(UpgradeService.class).to(EngineUpgradeService.class);
        bind(DemoService.class);
        bind(dev.duplex.engine.service.FleetService.class);
        bind(dev.duplex.engine.service.PairLabelService.class);
    }

    /** The built-in role-controller types and those the installed plugins add. */
    @Provides
    @Singleton
    RoleControllers roleControllers() {
        return new RoleControllers(registry.roleControllerProviders());
    }

    @Provides
    @Singleton
    EndpointConnections endpointConnections(Inventory inventory) {
        return new EndpointConnections(inventory, registry, config.home().resolve("drivers"));
    }
}
