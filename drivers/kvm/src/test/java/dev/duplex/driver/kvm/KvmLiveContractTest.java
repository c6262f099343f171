package dev.duplex.driver.kvm;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.ImageSpec;
import dev.duplex.driver.tck.BaseDriverContractTest;
import dev.duplex.driver.tck.DriverBehavior;
import dev.duplex.driver.tck.VolumeProbe;
import java.time.Duration;
import java.util.Map;

/**
 * The contract kit against a real libvirtd and real QEMU guests ({@link LiveLibvirt}): every
 * behaviour is supported and checked, volume content through {@link RawVolumeProbe}. VMs are
 * created with BIOS firmware here; the UEFI variable store is checked by
 * {@link KvmUefiEnvironmentLiveTest} (a UEFI VM's store is never empty, which the kit's empty-store
 * check assumes).
 */
class KvmLiveContractTest extends BaseDriverContractTest {
    @Override
    protected String expectedKind() {
        return "kvm";
    }

    @Override
    protected DriverConfig driverConfig() {
        return LiveLibvirt.get().config("live-libvirt", Map.of());
    }

    @Override
    protected boolean supports(DriverBehavior behavior) {
        return true;
    }

    @Override
    protected ImageSpec imageSpec(String name, String softwareVersion) {
        return new ImageSpec(name, softwareVersion, LiveLibvirt.guest(softwareVersion.startsWith("1") ? "v1" : "v2"), Map.of());
    }

    @Override
    protected VolumeProbe volumeProbe() {
        return new RawVolumeProbe();
    }

    @Override
    protected String mountPath(int index) {
        return "vd" + (char) ('b' + index);
    }

    @Override
    protected Map<String, String> vmProperties() {
        return Map.of("firmware", "bios");
    }

    @Override
    protected Duration stateTimeout() {
        return Duration.ofSeconds(120);
    }
}
