package dev.duplex.driver.vmware;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract kit against a real vCenter or ESXi, run with the {@code live} profile:
 * <pre>
 * ./mvnw -B -pl drivers/vmware -am verify -Plive -Dtest=VmwareLiveContractTest -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dduplex.vmware.uri=https://vcenter.example/sdk -Dduplex.vmware.user=duplex@vsphere.local \
 *   -Dduplex.vmware.password-file=/root/.duplex/vcenter.password \
 *   -Dduplex.vmware.template=duplex-tck-template \
 *   [-Dduplex.vmware.truststore=/root/.duplex/vcenter.p12] [-Dduplex.vmware.datacenter=DC1]
 *   [-Dduplex.vmware.datastore=ds1] [-Dduplex.vmware.pool=Resources]
 * </pre>
 * The template is a powered-off VM or template whose guest runs until stopped; the kit's images
 * are clones of it. Without {@code duplex.vmware.uri} the test is skipped.
 */
class VmwareLiveContractTest extends BaseDriverContractTest {
    private static String property(String name) {
        return System.getProperty("duplex.vmware." + name);
    }

    @BeforeAll
    void needsAVcenter() {
        assumeTrue(property("uri") != null, "set -Dduplex.vmware.uri (and user, password-file, template) to run against a vCenter");
    }

    @Override
    protected String expectedKind() {
        return "vmware";
    }

    @Override
    protected DriverConfig driverConfig() {
        assumeTrue(property("uri") != null, "set -Dduplex.vmware.uri to run against a vCenter");
        Map<String, String> properties = new HashMap<>();
        properties.put("user", property("user"));
        for (String key : new String[] {"truststore", "datacenter", "datastore", "pool", "insecure"}) {
            if (property(key) != null) {
                properties.put(key, property(key));
            }
        }
        return new DriverConfig("vcenter", property("uri"), properties, Optional.of(Path.of(property("password-file"))),
                Path.of("target", "vmware-live-work"));
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return switch (behavior) {
            case REGISTER_IMAGE, CREATE_VOLUME, START_STOP, MOUNT_AT_BOOT, COPY_AT_BOOT, VOLUME_COPY, HOT_ATTACH,
                    STOP_WAITS_UNTIL_GONE, ENVIRONMENT_STORE, FIRMWARE_STORE -> true;
            // No probe into a real datastore's disks here (the write back is checked on vcsim), and the
            // template's guest is not one that ends at once.
            case VOLUME_DATA_ACCESS, START_REPORTS_EARLY_EXIT, COPY_AT_BOOT_WRITE_BACK -> false;
        };
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, property("template"), Map.of());
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return VolumeProbe.unavailable();
    }

    @Override
    protected Duration stateTimeout() {
        return Duration.ofMinutes(5);
    }
}
