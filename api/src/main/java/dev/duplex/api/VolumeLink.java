package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The link, set in a VM's definition, to a volume that lives outside the VM's image: the
 * heart of the zero-copy upgrade. A new image gets a link to the same database volume instead
 * of a copy of the database.
 *
 * @param volume the linked volume; deleting the VM never deletes it
 * @param mountPath where the guest sees the volume (a path for the local driver, a device or
 *     target name such as {@code vdb} for KVM); always relative and normalised, see
 *     {@link #MOUNT_PATH_RULE}
 * @param mode whether the volume is used in place or copied in when the VM starts
 */
public record VolumeLink(VolumeRef volume, String mountPath, Mode mode) {
    /** The mount path rule in words, for messages. */
    public static final String MOUNT_PATH_RULE = "a mount path is relative to the VM's root, like 'db' or 'var/lib/db':"
            + " folder names of A-Z, a-z, 0-9, '.', '_' and '-' joined by single '/', with no '.' or '..' part";

    /** One folder name of a mount path; {@code .} and {@code ..} are refused separately. */
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final int MAX_MOUNT_PATH = 1024;

    public VolumeLink {
        requireNonNull(volume, "volume is null");
        requireNonNull(mountPath, "mountPath is null");
        requireNonNull(mode, "mode is null");
        if (!isValidMountPath(mountPath)) {
            throw new IllegalArgumentException(mountPathProblem(mountPath) + " (the link to " + volume + ")");
        }
    }

    /**
     * Whether {@code mountPath} is relative, normalised and plain, so that no platform can read
     * it as a place outside the VM: no leading {@code /}, no empty, {@code .} or {@code ..} part,
     * no character outside {@link #MOUNT_PATH_RULE}.
     */
    public static boolean isValidMountPath(String mountPath) {
        if (mountPath == null || mountPath.isEmpty() || mountPath.length() > MAX_MOUNT_PATH) {
            return false;
        }
        for (String component : mountPath.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches() || component.equals(".") || component.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** The one-line message for a mount path that breaks the rule. */
    public static String mountPathProblem(String mountPath) {
        return "'" + VisibleText.escape(mountPath) + "' is not a valid mount path: " + MOUNT_PATH_RULE;
    }

    /** How the VM gets at the linked volume's content. */
    public enum Mode {
        /** The VM mounts the volume itself at boot: no byte is copied. Needs {@link Capability#MOUNT_AT_BOOT}. */
        MOUNT_AT_BOOT,
        /**
         * The volume's content is copied into the VM when it starts, for platforms that cannot
         * mount an external volume. Needs {@link Capability#COPY_AT_BOOT}.
         *
         * <p>What the VM writes to its copy is written back to the volume once the VM is gone:
         * at {@link HypervisorDriver#stop stop}, and, after a crash, before the next start or the
         * VM's deletion copies anything over it. The write-back is atomic per volume (the new
         * content is staged beside the volume's and swapped in), so a crash during it leaves the
         * volume's old content or its new one, never a mix. So the next boot, of this VM or of a
         * VM of a newer image linked to the same volume, starts from what the VM last wrote, as
         * with {@link #MOUNT_AT_BOOT}.
         */
        COPY_AT_BOOT
    }
}
