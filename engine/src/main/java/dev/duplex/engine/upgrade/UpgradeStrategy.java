package dev.duplex.engine.upgrade;

import dev.duplex.api.Capability;
import dev.duplex.api.VolumeLink;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** How the new VM gets at its member's database. */
public enum UpgradeStrategy {
    /** The invention: the new image links the same database volume and mounts it at boot. No byte is copied. */
    LINK("link", VolumeLink.Mode.MOUNT_AT_BOOT, Set.of(Capability.MOUNT_AT_BOOT)),
    /** The seed's alternative for platforms that cannot mount: the linked volume is copied in when the VM starts. */
    COPY_AT_BOOT("copy-at-boot", VolumeLink.Mode.COPY_AT_BOOT, Set.of(Capability.COPY_AT_BOOT)),
    /**
     * The old way, kept to measure against: copy the database volume into a new volume before boot,
     * and link the new VM to the copy. The original volume is kept.
     */
    SNAPSHOT_COPY("snapshot-copy", VolumeLink.Mode.MOUNT_AT_BOOT, Set.of(Capability.VOLUME_COPY, Capability.MOUNT_AT_BOOT));

    private final String key;
    private final VolumeLink.Mode linkMode;
    private final Set<Capability> requires;

    UpgradeStrategy(String key, VolumeLink.Mode linkMode, Set<Capability> requires) {
        this.key = key;
        this.linkMode = linkMode;
        this.requires = requires;
    }

    /** The name users type: {@code link}, {@code copy-at-boot}, {@code snapshot-copy}. */
    public String key() {
        return key;
    }

    /** The mode of the new VM's links. */
    public VolumeLink.Mode linkMode() {
        return linkMode;
    }

    /** What the endpoint must support. */
    public Set<Capability> requires() {
        return requires;
    }

    /** Whether the database volume is copied into a new volume before boot. */
    public boolean copiesVolume() {
        return this == SNAPSHOT_COPY;
    }

    /** Whether the new VM copies the volume in when it starts. */
    public boolean copiesAtBoot() {
        return this == COPY_AT_BOOT;
    }

    public static UpgradeStrategy parse(String key) {
        String wanted = key == null ? "" : key.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.key.equals(wanted) || s.name().equalsIgnoreCase(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown upgrade strategy '" + key + "'; use one of "
                        + Arrays.stream(values()).map(UpgradeStrategy::key).collect(Collectors.joining(", "))));
    }

    @Override
    public String toString() {
        return key;
    }
}
