package dev.duplex.driver.openstack;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The driver contract kit against a real OpenStack API (Debian's Zed packages on 127.0.0.1,
 * Nova's fake compute driver, Cinder's fake volume driver). The fake drivers move no bytes, so
 * the kit cannot look into volumes here: {@link DriverBehavior#VOLUME_DATA_ACCESS} is not declared.
 */
@ExtendWith(OpenstackPeer.Extension.class)
class OpenstackContractTest extends BaseDriverContractTest implements OpenstackPeer.User {
    private static final Set<DriverBehavior> SUPPORTED = Set.of(DriverBehavior.REGISTER_IMAGE, DriverBehavior.CREATE_VOLUME,
            DriverBehavior.START_STOP, DriverBehavior.MOUNT_AT_BOOT, DriverBehavior.HOT_ATTACH, DriverBehavior.STOP_WAITS_UNTIL_GONE,
            DriverBehavior.ENVIRONMENT_STORE, DriverBehavior.VOLUME_COPY);

    private OpenstackPeer peer;

    @Override
    public void usePeer(OpenstackPeer peer) {
        this.peer = peer;
    }

    @Override
    protected String expectedKind() {
        return "openstack";
    }

    @Override
    protected DriverConfig driverConfig() {
        return peer.driverConfig("openstack-peer", Map.of());
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return SUPPORTED.contains(behavior);
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, peer.imageFile(softwareVersion).toString(), Map.of());
    }

    /** Server metadata holds configuration-like items; firmware settings ({@code settings}) it cannot. */
    @Override
    protected List<String> environmentItemNames() {
        return List.of("configuration", "network");
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

    /** Cinder sizes volumes in whole GiB. */
    @Override
    protected long volumeSizeBytes() {
        return 1L << 30;
    }

    @Override
    protected Duration stateTimeout() {
        return Duration.ofSeconds(120);
    }
}
