package org.example.duplex.process;

import dev.duplex.api.DriverProvider;
import dev.duplex.api.DuplexPlugin;
import java.util.List;

/** The plugin's entry point, listed in {@code META-INF/services/dev.duplex.api.DuplexPlugin}. */
public final class ProcessPlugin implements DuplexPlugin {
    @Override
    public List<DriverProvider> driverProviders() {
        return List.of(new ProcessDriverProvider());
    }
}
