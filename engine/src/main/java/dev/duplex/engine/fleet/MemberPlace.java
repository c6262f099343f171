package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

/**
 * Where a pair's member runs, as a fleet plan shows it: a pair's members may be on different
 * endpoints, even of different drivers.
 *
 * @param system 0 or 1
 * @param vm the member
 * @param endpoint its endpoint
 * @param driver the endpoint's driver kind
 */
public record MemberPlace(int system, String vm, String endpoint, String driver) {
    public MemberPlace {
        requireNonNull(vm, "vm is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(driver, "driver is null");
    }
}
