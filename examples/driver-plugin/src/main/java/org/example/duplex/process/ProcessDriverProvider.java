package org.example.duplex.process;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;

/**
 * Kind {@code process}: endpoint URI {@code process:}, no properties; everything lives in the
 * work folder Duplex gives the endpoint. Cheap to construct, connects nowhere until asked.
 */
public final class ProcessDriverProvider implements DriverProvider {
    static final String KIND = "process";
    static final Capabilities CAPABILITIES = Capabilities.of(Capability.MOUNT_AT_BOOT);

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public HypervisorDriver connect(DriverConfig config) {
        ObjectId endpoint = new ObjectId(ObjectKind.ENDPOINT, config.endpoint());
        if (!config.uri().equals("process:")) {
            throw new InvalidSpecException("endpoint " + config.endpoint() + ": the process driver's URI is 'process:', not '"
                    + config.uri() + "'", endpoint);
        }
        for (String key : config.properties().keySet()) {
            throw new InvalidSpecException("endpoint " + config.endpoint() + ": unknown property '" + key
                    + "'; the process driver has none", endpoint);
        }
        return new ProcessDriver(new StateFolder(config.workDirectory()));
    }
}
