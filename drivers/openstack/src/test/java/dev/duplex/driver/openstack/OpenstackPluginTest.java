package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.api.DriverProvider;
import dev.duplex.api.DuplexPlugin;
import dev.duplex.api.role.RoleControllerProvider;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The plugin is found the way Duplex finds it, and yields the driver and the floating-IP role controller. */
class OpenstackPluginTest {
    @Test
    void serviceLoaderFindsThePluginWithItsDriverAndRoleControllerType() {
        List<DuplexPlugin> plugins = ServiceLoader.load(DuplexPlugin.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(List.of(OpenstackPlugin.class), plugins.stream().map(Object::getClass).toList());
        assertEquals(List.of("openstack"), plugins.get(0).driverProviders().stream().map(DriverProvider::kind).toList());
        assertEquals(List.of("openstack-floating-ip"),
                plugins.get(0).roleControllerProviders().stream().map(RoleControllerProvider::type).toList());
    }
}
