package dev.duplex.api;

/**
 * Entry point of a driver jar, found with {@link java.util.ServiceLoader}.
 *
 * <p>Implementations must have a public no-argument constructor, be cheap to construct and
 * hold no connection: connecting happens in {@link #connect(DriverConfig)}, once per endpoint.
 */
public interface DriverProvider {
    /**
     * The driver's kind, the name operators use to pick it ({@code "local"}, {@code "kvm"},
     * {@code "vmware"}, {@code "openstack"}, ...). Lower case, unique among installed drivers.
     */
    String kind();

    /** The driver's version, shown by {@code duplex drivers}; the jar's implementation version by default. */
    default String version() {
        String version = getClass().getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    /**
     * What every endpoint of this driver can do, before connecting. A connected driver may
     * report less (for example a platform that lacks a feature) through
     * {@link HypervisorDriver#capabilities()}, never more.
     */
    Capabilities capabilities();

    /**
     * Connects to one endpoint of this platform.
     *
     * @throws DriverException when the endpoint cannot be reached or refuses the credentials;
     *     the message names the endpoint with its URI redacted
     */
    HypervisorDriver connect(DriverConfig config);
}
