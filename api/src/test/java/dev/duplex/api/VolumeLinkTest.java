package dev.duplex.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeLinkTest {
    private static final VolumeRef VOLUME = new VolumeRef("db-0-1234", "db-0");

    @ParameterizedTest
    @ValueSource(strings = {"../..", "..", ".", "/abs", "/var/lib/db", "a/../../b", "a/..", "", " ", "a//b", "a/", "/a", "./a",
        "a/./b", "db\n", "d\u001b[31mb", "a b", "a\\b", "db:copy", "a\u0000b", "l\u0430b"})
    void badMountPathsAreRefusedWithTheRule(String mountPath) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VolumeLink(VOLUME, mountPath, VolumeLink.Mode.MOUNT_AT_BOOT));
        assertTrue(e.getMessage().contains(VolumeLink.MOUNT_PATH_RULE), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(VisibleText::isControl), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void tooLongMountPathsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new VolumeLink(VOLUME, "a".repeat(256), VolumeLink.Mode.MOUNT_AT_BOOT));
        assertThrows(IllegalArgumentException.class,
                () -> new VolumeLink(VOLUME, "a/".repeat(600) + "a", VolumeLink.Mode.MOUNT_AT_BOOT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"db", "var/lib/db", "vdb", ".config/db", "a..b", "data-0/x_y.z"})
    void relativePlainMountPathsPass(String mountPath) {
        assertEquals(mountPath, new VolumeLink(VOLUME, mountPath, VolumeLink.Mode.COPY_AT_BOOT).mountPath());
    }
}
