package dev.duplex.driver.kvm;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The XML of a new Duplex domain: a direct-boot guest ({@code <kernel>}, {@code <initrd>},
 * {@code <cmdline>}) or a disk-image guest, ACPI on (so {@code virsh shutdown} and hot attach
 * work), one serial port writing to a file that survives restarts ({@code append='on'}),
 * optional UEFI firmware with its variable store, and one disk per volume link.
 */
record DomainDefinition(
        String type,
        String name,
        DuplexMetadata metadata,
        int memoryMib,
        int vcpus,
        Optional<Boot> boot,
        Optional<Uefi> uefi,
        List<DiskSpec> disks,
        Optional<String> serialLog) {

    /** A direct kernel boot. */
    record Boot(String kernel, String initrd, String cmdline) {}

    /** UEFI firmware: the read-only code, the variable store file and its template. */
    record Uefi(String code, String nvram, String template) {}

    /**
     * A disk backed by a storage volume.
     *
     * @param pool the volume's pool
     * @param volume the volume's name
     * @param format {@code raw} or {@code qcow2}, as the volume is
     * @param target the target device, also set as the disk's serial so the guest can find it by name
     */
    record DiskSpec(String pool, String volume, String format, String target) {
        String xml() {
            return "<disk type='volume' device='disk'>"
                    + "<driver name='qemu' type='" + Xml.escape(format) + "'/>"
                    + "<source pool='" + Xml.escape(pool) + "' volume='" + Xml.escape(volume) + "'/>"
                    + "<target dev='" + Xml.escape(target) + "' bus='virtio'/>"
                    + "<serial>" + Xml.escape(target) + "</serial>"
                    + "</disk>";
        }
    }

    DomainDefinition {
        requireNonNull(type, "type is null");
        requireNonNull(name, "name is null");
        requireNonNull(metadata, "metadata is null");
        disks = List.copyOf(disks);
    }

    String xml() {
        var out = new StringBuilder();
        out.append("<domain type='").append(Xml.escape(type)).append("'>")
                .append("<name>").append(Xml.escape(name)).append("</name>")
                .append("<title>").append(Xml.escape(metadata.kind() == DuplexMetadata.Kind.IMAGE
                        ? "Duplex image " + metadata.image().name() + " " + metadata.softwareVersion()
                        : "Duplex VM from " + metadata.image().name() + " " + metadata.softwareVersion()))
                .append("</title>")
                .append("<metadata>").append(metadata.toXml()).append("</metadata>")
                .append("<memory unit='MiB'>").append(memoryMib).append("</memory>")
                .append("<vcpu>").append(vcpus).append("</vcpu>")
                .append("<os><type>hvm</type>");
        uefi.ifPresent(u -> out.append("<loader readonly='yes' type='pflash'>").append(Xml.escape(u.code())).append("</loader>")
                .append("<nvram template='").append(Xml.escape(u.template())).append("'>").append(Xml.escape(u.nvram())).append("</nvram>"));
        boot.ifPresent(b -> out.append("<kernel>").append(Xml.escape(b.kernel())).append("</kernel>")
                .append("<initrd>").append(Xml.escape(b.initrd())).append("</initrd>")
                .append("<cmdline>").append(Xml.escape(b.cmdline())).append("</cmdline>"));
        if (boot.isEmpty()) {
            out.append("<boot dev='hd'/>");
        }
        out.append("</os>")
                .append("<features><acpi/></features>")
                .append("<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>")
                .append("<devices>");
        disks.forEach(d -> out.append(d.xml()));
        serialLog.ifPresent(log -> out.append("<serial type='file'><source path='").append(Xml.escape(log))
                .append("' append='on'/><target port='0'/></serial>"));
        out.append("</devices></domain>");
        return out.toString();
    }
}
