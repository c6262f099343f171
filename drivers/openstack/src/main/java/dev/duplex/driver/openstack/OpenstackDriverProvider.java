package dev.duplex.driver.openstack;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.SecretFile;

/** The OpenStack driver: Nova servers, Cinder volumes and Glance images behind a Keystone v3 endpoint. */
public final class OpenstackDriverProvider implements DriverProvider {
    public static final String KIND = "openstack";
    static final Capabilities CAPABILITIES = Capabilities.of(Capability.MOUNT_AT_BOOT, Capability.HOT_ATTACH,
            Capability.ENVIRONMENT_STORE, Capability.VOLUME_COPY, Capability.VOLUME_SNAPSHOT);

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
        OpenstackSettings settings = OpenstackSettings.of(config);
        return new OpenstackDriver(settings, session(settings, config));
    }

    /** Signs in with the credential file of {@code config}; shared with the floating-IP role controller. */
    static CloudSession session(OpenstackSettings settings, DriverConfig config) {
        ObjectId where = new ObjectId(ObjectKind.ENDPOINT, config.endpoint());
        SecretFile file = new SecretFile(config.credentialFile().orElseThrow(() -> new InvalidSpecException(
                "Endpoint '" + config.endpoint() + "' has no credential file; give one holding the password or an application credential of "
                        + settings.describe(), where)), "the credential file of endpoint '" + config.endpoint() + "'");
        CloudCredential credential;
        try {
            credential = CloudCredential.parse(file.read(), "the credential file of endpoint '" + config.endpoint() + "'");
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage(), where, e);
        }
        return new CloudSession(settings, credential);
    }
}
