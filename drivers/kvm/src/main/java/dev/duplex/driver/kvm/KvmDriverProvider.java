package dev.duplex.driver.kvm;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.PlatformException;
import dev.duplex.api.Redaction;
import dev.duplex.api.SecretFile;
import java.io.IOException;
import java.nio.file.Path;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * The KVM driver: any libvirt endpoint ({@code qemu:///system}, {@code qemu+ssh://host/system},
 * {@code qemu+unix:///session?socket=...}, {@code test:///...}) through libvirt-java.
 *
 * <p>Endpoint properties: {@code pool} (storage pool, default {@code duplex}), {@code pool-path}
 * (create a directory pool there when missing), {@code domain-type} ({@code qemu} or
 * {@code kvm}), {@code memory-mib}, {@code vcpus}, {@code stop-grace-ms}, {@code firmware}
 * ({@code bios} or {@code uefi}), {@code ovmf-code}, {@code ovmf-vars}.
 */
public final class KvmDriverProvider implements dev.duplex.api.DriverProvider {
    static final String KIND = "kvm";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.of(Capability.MOUNT_AT_BOOT, Capability.COPY_AT_BOOT, Capability.VOLUME_COPY,
                Capability.HOT_ATTACH, Capability.ENVIRONMENT_STORE, Capability.FIRMWARE_STORE, Capability.VOLUME_SNAPSHOT);
    }

    @Override
    public HypervisorDriver connect(DriverConfig config) {
        KvmSettings settings = KvmSettings.from(config);
        ObjectId endpoint = new ObjectId(ObjectKind.ENDPOINT, config.endpoint());
        Connect connect;
        try {
            LibvirtErrorLog.install();
            if (config.credentialFile().isPresent()) {
                connect = new Connect(config.uri(), readCredentials(config.credentialFile().get(), config), 0);
            } else {
                connect = new Connect(config.uri(), false);
            }
        } catch (LibvirtException e) {
            throw LibvirtErrors.translateConnect(e, config.endpoint(), config.uri());
        } catch (LinkageError e) {
            throw new PlatformException("Cannot use endpoint '" + config.endpoint() + "' (" + Redaction.redactUri(config.uri())
                    + "): libvirt's client library libvirt.so.0 is not installed on this host (Debian: apt-get install libvirt0)", endpoint, e);
        }
        try {
            return new KvmDriver(config, settings, connect);
        } catch (RuntimeException e) {
            try {
                connect.close();
            } catch (LibvirtException ignored) {
                // the first failure is the one to report
            }
            throw e;
        }
    }

    private static CredentialFileAuth readCredentials(Path file, DriverConfig config) {
        try {
            return CredentialFileAuth.parse(new SecretFile(file, "The credential file of endpoint '" + config.endpoint() + "'").read());
        } catch (IllegalArgumentException e) {
            throw new dev.duplex.api.AuthenticationException(e.getMessage(), new ObjectId(ObjectKind.ENDPOINT, config.endpoint()));
        }
    }

}
