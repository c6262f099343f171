package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.persistence.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code duplex db status|stop} with the embedded PostgreSQL staying up between commands. */
class DbCommandTest {
    private Path home;
    private String config;

    @BeforeEach
    void home() throws IOException {
        Files.createDirectories(Path.of("target"));
        home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "db-");
        Path file = home.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + home.resolve("home") + "\nduplex.db.idle-stop=PT5M\n");
        config = file.toString();
    }

    @AfterEach
    void stop() {
        Database.stopEmbedded(home.resolve("home"));
    }

    private JsonNode status() throws IOException {
        CliRun status = CliRun.withConfig(config, "db", "status", "--output", "json");
        assertEquals(0, status.exitCode(), status.toString());
        return new ObjectMapper().readTree(status.out());
    }

    @Test
    void theServerStaysUpAfterACommandStatusTellsWhenItStopsAndStopStopsIt() throws IOException {
        assertEquals("stopped", status().get("server").asText());
        assertTrue(Database.embeddedServer(home.resolve("home")).isEmpty(), "db status started nothing");

        CliRun list = CliRun.withConfig(config, "vm", "list");
        assertEquals(0, list.exitCode(), list.toString());
        long postgres = Database.embeddedServer(home.resolve("home")).orElseThrow(() -> new AssertionError("stays up after the command"))
                .postmasterPid();

        JsonNode up = status();
        assertEquals("running", up.get("server").asText(), up.toString());
        assertEquals(postgres, up.get("postgres_pid").asLong());
        assertEquals(300_000, up.get("idle_stop_ms").asLong(), "five minutes, in milliseconds");
        Instant stopsAt = Instant.parse(up.get("stops_at").asText());
        assertTrue(stopsAt.isAfter(Instant.now().plusSeconds(200)) && stopsAt.isBefore(Instant.now().plusSeconds(301)), stopsAt.toString());

        CliRun again = CliRun.withConfig(config, "vm", "list");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(postgres, Database.embeddedServer(home.resolve("home")).orElseThrow().postmasterPid(), "the next command joined it");

        CliRun stop = CliRun.withConfig(config, "db", "stop");
        assertEquals(0, stop.exitCode(), stop.toString());
        assertTrue(stop.out().contains("stopped"), stop.toString());
        assertFalse(ProcessHandle.of(postgres).map(ProcessHandle::isAlive).orElse(false));
        assertEquals("stopped", status().get("server").asText());
    }

    @Test
    void stopRefusesWhileAnotherDuplexProcessUsesTheServerAndForceStopsIt() throws IOException {
        try (Services services = Services.start(dev.duplex.engine.config.DuplexConfig.resolve(java.util.List.of(Path.of(config)),
                java.util.List.of(Path.of(config)), java.util.Map.of(), new java.util.Properties()),
                dev.duplex.engine.driver.DriverRegistry.discover(getClass().getClassLoader(), java.util.Optional.empty()))) {
            CliRun refused = CliRun.withConfig(config, "db", "stop");
            assertEquals(1, refused.exitCode(), refused.toString());
            assertEquals(1, refused.err().lines().count(), "one line: " + refused.err());
            assertTrue(refused.err().contains("in use by 1 Duplex process") && refused.err().contains("pid " + ProcessHandle.current().pid())
                    && refused.err().contains("--force"), refused.err());
            assertTrue(Database.embeddedServer(home.resolve("home")).isPresent());

            CliRun forced = CliRun.withConfig(config, "db", "stop", "--force");
            assertEquals(0, forced.exitCode(), forced.toString());
            assertTrue(Database.embeddedServer(home.resolve("home")).isEmpty());
        }
    }
}
