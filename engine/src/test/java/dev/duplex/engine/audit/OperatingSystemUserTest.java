package dev.duplex.engine.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OperatingSystemUserTest {
    @Test
    void theActorComesFromTheKernelsUserIdNotFromUserName() throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        String before = System.getProperty("user.name");
        System.setProperty("user.name", "alice-spoofed");
        try {
            String actor = OperatingSystemUser.current();
            assertTrue(actor.contains("(uid " + uid + ")@"), actor);
            assertFalse(actor.contains("alice-spoofed"), actor);
        } finally {
            System.setProperty("user.name", before);
        }
    }
}
