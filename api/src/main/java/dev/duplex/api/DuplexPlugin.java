package dev.duplex.api;

import dev.duplex.api.role.RoleControllerProvider;
import java.util.List;

/**
 * The one entry point of a plugin: what a jar in {@code plugins/<name>/} adds to Duplex.
 *
 * <p>Duplex finds it with {@link java.util.ServiceLoader}: list the implementation's class name in
 * {@code META-INF/services/dev.duplex.api.DuplexPlugin}. Each plugin folder gets its own class
 * loader whose parent shares only the {@code dev.duplex.api} packages, so a plugin brings every
 * other library it needs (and may use versions Duplex itself does not). Calls into the objects it
 * returns run with the thread's context class loader set to the plugin's.
 *
 * <p>Implementations need a public no-argument constructor, must be cheap to construct and may
 * not connect anywhere: Duplex builds every plugin at start-up, also for {@code duplex --help}.
 * A plugin may still list a bare {@link DriverProvider} in
 * {@code META-INF/services/dev.duplex.api.DriverProvider}, as plugins did before this interface.
 */
public interface DuplexPlugin {
    /** The drivers this plugin adds, each of a {@linkplain DriverProvider#kind() kind} no other installed driver has. */
    default List<DriverProvider> driverProviders() {
        return List.of();
    }

    /**
     * The role-controller types this plugin adds (a floating-IP mover, a vendor's cluster API),
     * each of a {@linkplain RoleControllerProvider#type() type} other than the built-in
     * {@code exec} and {@code http} and other plugins' types.
     */
    default List<RoleControllerProvider> roleControllerProviders() {
        return List.of();
    }
}
