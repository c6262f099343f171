package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.driver.DriverRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The inventory commands through the real CLI, the local driver and the embedded PostgreSQL, including what they refuse. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InventoryCommandsTest {
    private Path dir;
    private String config;
    private Services keepDatabaseUp;

    @BeforeAll
    void start() throws IOException {
        dir = TestHome.create("duplex-cli-inventory");
        Path file = dir.resolve("duplex.properties");
        Files.writeString(file, "duplex.home=" + dir.resolve("home") + "\nduplex.db.idle-stop=PT0S\n"); // the test deletes the home: the server stops with its last user
        config = file.toString();
        // Every command below joins this embedded server instead of starting its own.
        keepDatabaseUp = Services.start(DuplexConfig.resolve(List.of(file), List.of(file), Map.of(), new Properties()),
                DriverRegistry.discover(getClass().getClassLoader(), Optional.empty()));
        Path image = dir.resolve("image");
        Files.createDirectories(image);
        Files.writeString(image.resolve("duplex-image.properties"), "version=1.0\ncommand=while true; do sleep 1; done\n");
        Path image2 = dir.resolve("image2");
        Files.createDirectories(image2);
        Files.writeString(image2.resolve("duplex-image.properties"), "version=2.0\ncommand=while true; do sleep 1; done\n");
    }

    @AfterAll
    void stop() {
        keepDatabaseUp.close();
    }

    @Test
    void buildsAPairAndRefusesConflictsWithOneLineEach() {
        ok("endpoint", "add", "lab", "--driver", "local");
        assertTrue(fail("endpoint", "add", "lab", "--driver", "local").contains("already exists"));
        assertTrue(fail("endpoint", "add", "x", "--driver", "local", "--uri", "local://u:secret@h/").contains("password"));
        assertTrue(fail("endpoint", "add", "y", "--driver", "nosuch", "--uri", "z:").contains("No driver of kind 'nosuch'"));

        ok("image", "register", "img-1", "--endpoint", "lab", "--version", "1.0", "--source", dir.resolve("image").toString());
        ok("image", "register", "img-2", "--endpoint", "lab", "--version", "2.0", "--source", dir.resolve("image2").toString());
        assertTrue(fail("image", "register", "img-x", "--endpoint", "lab", "--version", "1.0", "--source", dir.resolve("missing").toString())
                .contains("missing"));
        ok("volume", "create", "db-0", "--endpoint", "lab", "--size", "8MiB");
        ok("volume", "create", "db-1", "--endpoint", "lab", "--size", "8MiB");
        assertTrue(usage("volume", "create", "db-2", "--endpoint", "lab", "--size", "eight").contains("not a size"));

        ok("vm", "create", "vm-0", "--endpoint", "lab", "--image", "img-1", "--link", "db-0:db");
        assertTrue(fail("vm", "create", "vm-x", "--endpoint", "lab", "--image", "img-1", "--link", "db-0:db")
                .contains("db-0 is already linked to VM vm-0"));
        ok("vm", "create", "vm-1", "--endpoint", "lab", "--image", "img-1", "--link", "db-1:db:mount");
        ok("vm", "create", "vm-2", "--endpoint", "lab", "--image", "img-1");

        ok("pair", "create", "kv", "--system0", "vm-0", "--system1", "vm-1");
        assertTrue(fail("pair", "create", "kv2", "--system0", "vm-1", "--system1", "vm-2").contains("vm-1"));
        assertTrue(ok("pair", "show", "kv", "--output", "json").contains("\"active\" : \"vm-0\""));

        ok("vm", "start", "vm-0");
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("vm-0") && l.contains("RUNNING")));
        ok("vm", "stop", "vm-0");
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("vm-0") && l.contains("STOPPED")));

        // S11-S13 on a VM in no pair: re-created from the new image, linked to the same volume.
        ok("volume", "create", "db-solo", "--endpoint", "lab", "--size", "8MiB");
        ok("vm", "create", "solo", "--endpoint", "lab", "--image", "img-1", "--link", "db-solo:db");
        ok("vm", "start", "solo");
        assertTrue(ok("upgrade", "vm", "solo", "--image", "img-2", "--dry-run").contains("S12"));
        String upgraded = ok("upgrade", "vm", "solo", "--image", "img-2", "--output", "json");
        assertTrue(upgraded.contains("\"state\" : \"SUCCEEDED\"") && upgraded.contains("\"downtime_ms\""), upgraded);
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("solo ") && l.contains("img-2") && l.contains("RUNNING")
                && l.contains("db-solo:db")), "the VM runs the new image, linked to the same volume");
        ok("vm", "stop", "solo");

        String inUse = fail("endpoint", "remove", "lab");
        assertTrue(inUse.contains("lab") && inUse.contains("still"), inUse);
        assertTrue(fail("pair", "show", "nope").contains("'nope'"));
    }

    @Test
    void startOfAVmThatDiesAtOnceFailsWithOneLineAndItsConsoleTail() throws IOException {
        Path image = dir.resolve("image-port-taken");
        Files.createDirectories(image);
        Files.writeString(image.resolve("duplex-image.properties"),
                "version=1.0\ncommand=echo starting; echo 'listen :8080: bind: address already in use' >&2; exit 3\n");
        ok("endpoint", "add", "crashlab", "--driver", "local");
        ok("image", "register", "img-taken", "--endpoint", "crashlab", "--version", "1.0", "--source", image.toString());
        ok("vm", "create", "kv-z", "--endpoint", "crashlab", "--image", "img-taken");

        CliRun result = run("vm", "start", "kv-z");

        assertEquals(1, result.exitCode(), "stdout: " + result.out() + "\nstderr: " + result.err());
        assertEquals("", result.out(), "no 'started'");
        List<String> lines = result.err().lines().toList();
        assertTrue(lines.get(0).startsWith("duplex: VM kv-z exited with status 3"), lines.get(0));
        assertEquals(List.of("Last 2 line(s) of kv-z's console:", "  | starting",
                "  | listen :8080: bind: address already in use"), lines.subList(1, lines.size()));
        assertTrue(ok("vm", "list").lines().anyMatch(l -> l.startsWith("kv-z") && l.contains("CRASHED")));
    }

    private String ok(String... args) {
        CliRun result = run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + "\nstdout: " + result.out() + "\nstderr: " + result.err());
        return result.out();
    }

    private String fail(String... args) {
        CliRun result = run(args);
        assertEquals(1, result.exitCode(), String.join(" ", args) + " should fail\nstdout: " + result.out());
        assertEquals(1, result.err().lines().count(), "one line: " + result.err());
        assertTrue(result.err().startsWith("duplex: "), result.err());
        return result.err();
    }

    private String usage(String... args) {
        CliRun result = run(args);
        assertEquals(2, result.exitCode(), String.join(" ", args) + " is bad usage\nstdout: " + result.out());
        assertEquals(2, result.err().lines().count(), "the error and where to read more: " + result.err());
        assertTrue(result.err().contains("--help"), result.err());
        return result.err();
    }

    private CliRun run(String... args) {
        return CliRun.withConfig(config, args);
    }

}
