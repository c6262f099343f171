package dev.duplex.engine.driver;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.DriverProvider;

/**
 * A driver found at start-up.
 *
 * @param provider the driver's provider
 * @param source where it was loaded from: a jar path, or {@code class path}
 */
public record InstalledDriver(DriverProvider provider, String source) {
    public InstalledDriver {
        requireNonNull(provider, "provider is null");
        requireNonNull(source, "source is null");
    }

    public String kind() {
        return provider.kind();
    }
}
