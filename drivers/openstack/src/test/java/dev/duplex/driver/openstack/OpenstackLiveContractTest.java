package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kit against a real cloud, run only with the {@code live} profile:
 * <pre>
 * ./mvnw -o -B -pl drivers/openstack -am verify -Plive -Dtest=OpenstackLiveContractTest -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dduplex.openstack.uri=https://USER@keystone.example:5000/v3 -Dduplex.openstack.project=PROJECT \
 *   -Dduplex.openstack.domain=Default -Dduplex.openstack.flavor=m1.small \
 *   -Dduplex.openstack.credential-file=/root/os-password -Dduplex.openstack.image-file=/path/to/small.qcow2 \
 *   -Dduplex.openstack.disk-format=qcow2
 * </pre>
 * It creates and deletes servers, volumes and images named {@code tck-*} in that project.
 */
class OpenstackLiveContractTest extends BaseDriverContractTest {
    private static final Set<DriverBehavior> SUPPORTED = Set.of(DriverBehavior.REGISTER_IMAGE, DriverBehavior.CREATE_VOLUME,
            DriverBehavior.START_STOP, DriverBehavior.MOUNT_AT_BOOT, DriverBehavior.HOT_ATTACH, DriverBehavior.STOP_WAITS_UNTIL_GONE,
            DriverBehavior.ENVIRONMENT_STORE, DriverBehavior.VOLUME_COPY);

    private static String property(String name) {
        String value = System.getProperty("duplex.openstack." + name);
        assertNotNull(value, "set -Dduplex.openstack." + name + " for the live test");
        return value;
    }

    @Override
    protected String expectedKind() {
        return "openstack";
    }

    @Override
    protected DriverConfig driverConfig() {
        return new DriverConfig("live", property("uri"), Map.of("project", property("project"),
                "domain", System.getProperty("duplex.openstack.domain", "Default"), "flavor", property("flavor")),
                Optional.of(Path.of(property("credential-file"))), Path.of("target", "openstack-live"));
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return SUPPORTED.contains(behavior);
    }

    /** Server metadata holds configuration-like items; firmware settings ({@code settings}) it cannot. */
    @Override
    protected List<String> environmentItemNames() {
        return List.of("configuration", "network");
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, property("image-file"),
                Map.of("disk-format", System.getProperty("duplex.openstack.disk-format", "qcow2")));
    }

    /** A Cinder clone makes a new volume; the driver cannot fill an existing one (see its README). */
    @Override
    protected boolean copiesIntoExistingVolume() {
        return false;
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return VolumeProbe.unavailable();
    }

    @Override
    protected long volumeSizeBytes() {
        return 1L << 30;
    }

    @Override
    protected Duration stateTimeout() {
        return Duration.ofMinutes(5);
    }
}
