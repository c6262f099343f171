package dev.duplex.driver.openstack;

import dev.duplex.api.DriverProvider;
import dev.duplex.api.DuplexPlugin;
import dev.duplex.api.role.RoleControllerProvider;
import java.util.List;

/** The OpenStack plugin: its driver and the role controller that moves a pair's floating IP. */
public final class OpenstackPlugin implements DuplexPlugin {
    @Override
    public List<DriverProvider> driverProviders() {
        return List.of(new OpenstackDriverProvider());
    }

    @Override
    public List<RoleControllerProvider> roleControllerProviders() {
        return List.of(new FloatingIpRoleControllerProvider());
    }
}
