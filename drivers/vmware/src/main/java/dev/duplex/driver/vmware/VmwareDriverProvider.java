package dev.duplex.driver.vmware;

import dev.duplex.api.Capabilities;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.HypervisorDriver;

/** vSphere (vCenter or ESXi) through its SOAP API, with yavijava. */
public final class VmwareDriverProvider implements DriverProvider {
    @Override
    public String kind() {
        return VmwareDriver.KIND;
    }

    @Override
    public Capabilities capabilities() {
        return VmwareDriver.CAPABILITIES;
    }

    @Override
    public HypervisorDriver connect(DriverConfig config) {
        return VmwareDriver.connect(VmwareSettings.from(config), config.endpoint());
    }
}
