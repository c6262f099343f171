package dev.duplex.driver.kvm;

import java.util.regex.Pattern;

/**
 * How a volume's libvirt name carries what a directory pool cannot store beside it: the
 * volume's purpose. An external volume {@code db1} for a {@code database} in raw format is the
 * file {@code db1.database.raw}. Volumes a VM owns (copies made at boot, UEFI variable stores,
 * serial logs) have a purpose starting with {@code vm-} and are not listed as external volumes.
 *
 * @param name the human name
 * @param purpose the purpose, {@code unknown} for files not made by Duplex
 * @param extension the file extension ({@code raw}, {@code qcow2}, {@code fd}, {@code log})
 */
record VolumeName(String name, String purpose, String extension) {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,100}");
    static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9-]{0,40}");

    static VolumeName parse(String volumeName) {
        int ext = volumeName.lastIndexOf('.');
        if (ext <= 0) {
            return new VolumeName(volumeName, "unknown", "");
        }
        String base = volumeName.substring(0, ext);
        int purpose = base.lastIndexOf('.');
        if (purpose <= 0 || !PURPOSE.matcher(base.substring(purpose + 1)).matches()) {
            return new VolumeName(base, "unknown", volumeName.substring(ext + 1));
        }
        return new VolumeName(base.substring(0, purpose), base.substring(purpose + 1), volumeName.substring(ext + 1));
    }

    static VolumeName external(String name, String purpose, String format) {
        return new VolumeName(name, purpose, format);
    }

    static VolumeName copyAtBoot(String vm, String target, String format) {
        return new VolumeName(vm + "-" + target, "vm-copy", format);
    }

    static VolumeName nvram(String vm, long generation) {
        return new VolumeName(vm + "-g" + generation, "vm-nvram", "fd");
    }

    static VolumeName overlay(String vm) {
        return new VolumeName(vm, "vm-disk", "qcow2");
    }

    static VolumeName serialLog(String vm) {
        return new VolumeName(vm, "vm-serial", "log");
    }

    /** Whether a VM owns the volume (it is not an external volume). */
    boolean vmOwned() {
        return purpose.startsWith("vm-");
    }

    String libvirtName() {
        return name + "." + purpose + (extension.isEmpty() ? "" : "." + extension);
    }
}
