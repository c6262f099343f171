package dev.duplex.driver.local;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.HypervisorDriver;

/**
 * The embedded default driver, kind {@value #KIND}: VMs are local processes, images and volumes
 * are folders, and a VM's link to its database volume is a real symbolic link.
 *
 * <p>Configuration: the URI {@code local:} keeps state in {@link DriverConfig#workDirectory()},
 * {@code local:/absolute/folder} in that folder. One property is known, {@code stop-grace-ms}
 * (default 5000): how long a graceful stop waits after SIGTERM before SIGKILL. Any other
 * property is refused.
 */
public final class LocalDriverProvider implements DriverProvider {
    /** The kind operators use to pick this driver. */
    public static final String KIND = "local";

    static final Capabilities CAPABILITIES = Capabilities.of(
            Capability.MOUNT_AT_BOOT, Capability.COPY_AT_BOOT, Capability.VOLUME_COPY, Capability.ENVIRONMENT_STORE);

    /** For {@link java.util.ServiceLoader}. */
    public LocalDriverProvider() {}

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public HypervisorDriver connect(DriverConfig config) {
        return new LocalDriver(LocalSettings.from(config));
    }
}
