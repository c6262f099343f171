package dev.duplex.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test on the tarball this build made: each test gets it unpacked into a folder of its own with a
 * fresh home, and afterwards every VM left running and the embedded database are stopped (VMs are
 * process groups that outlive the command, and a database still running would keep the temp folder
 * busy).
 */
abstract class OnTheRelease {
    @TempDir
    Path dir;

    Release release;

    @BeforeEach
    void unpackTheRelease() throws IOException, InterruptedException {
        release = Release.unpack(dir);
    }

    @AfterEach
    void stopEverythingItStarted() throws IOException, InterruptedException {
        if (release == null || !Files.exists(release.home().resolve("db"))) {
            return; // no command made the database: no VM can be recorded, and 'vm list' would make one only to stop it
        }
        Release.Result vms = release.duplex("vm", "list", "--output", "json");
        if (vms.exitCode() == 0) {
            for (JsonNode vm : new ObjectMapper().readTree(vms.out())) {
                release.duplex("vm", "stop", vm.get("name").asText(), "--force");
            }
        }
        release.duplex("db", "stop", "--force");
    }
}
