package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriversCommandTest {
    @TempDir
    Path dir;

    @Test
    void listsTheLocalDriverWithItsCapabilities() throws IOException {
        Result result = run("--config", config("duplex.home=" + dir.resolve("home")), "drivers");

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().lines().anyMatch(l -> l.startsWith("local ") && l.contains("MOUNT_AT_BOOT")), result.out());
    }

    @Test
    void jsonOutputIsAnArrayOfObjects() throws IOException {
        Result result = run("--config", config("duplex.home=" + dir.resolve("home")), "drivers", "--output", "json");

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().trim().startsWith("["), result.out());
        assertTrue(result.out().contains("\"kind\" : \"local\""), result.out());
    }

    @Test
    void brokenPluginJarIsOneLineNamingIt() throws IOException {
        Path broken = dir.resolve("plugins").resolve("x").resolve("broken.jar");
        Files.createDirectories(broken.getParent());
        Files.writeString(broken, "not a jar");

        Result result = run("--config", config("duplex.plugins.dir=" + dir.resolve("plugins")), "drivers");

        assertEquals(1, result.exitCode());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().startsWith("duplex: ") && result.err().contains(broken.toString()), result.err());
    }

    @Test
    void unknownConfigKeyIsOneLine() throws IOException {
        Result result = run("--config", config("duplex.plugin.dir=/x"), "drivers");

        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("Unknown configuration key 'duplex.plugin.dir'"), result.err());
    }

    @Test
    void helpTeachesTheCommands() {
        Result result = run("--help");

        assertEquals(0, result.exitCode());
        assertTrue(result.out().contains("drivers") && result.out().contains("DUPLEX_HOME"), result.out());
    }

    private String config(String line) throws IOException {
        Path file = Files.createTempFile(dir, "duplex", ".properties");
        Files.writeString(file, line + "\n");
        return file.toString();
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, java.util.Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int exitCode, String out, String err) {}
}
