package dev.duplex.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through, typed verbatim on the release: the tarball this build made is
 * unpacked, and every shell block of README.md marked {@code <!-- walkthrough -->} runs, in order,
 * in one shell in the unpacked folder with its {@code bin/} on the PATH and a fresh home. Then the
 * outcome is checked as an operator would: the pair failed over, and the new active takes writes.
 */
class ReadmeWalkthroughIT {
    private static final String MARKER = "<!-- walkthrough -->";

    @TempDir
    Path dir;

    private Path release;
    private Path home;

    @BeforeEach
    void unpackTheRelease() throws IOException, InterruptedException {
        Path target = Path.of("target");
        Path tarball;
        try (Stream<Path> files = Files.list(target)) {
            tarball = files.filter(p -> p.getFileName().toString().matches("duplex-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no duplex-*.tar.gz in " + target.toAbsolutePath() + ": run 'package' first"));
        }
        Path unpacked = Files.createDirectories(dir.resolve("release"));
        run(List.of("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", unpacked.toString()), unpacked, Duration.ofMinutes(2));
        try (Stream<Path> folders = Files.list(unpacked)) {
            release = folders.findFirst().orElseThrow();
        }
        home = dir.resolve("home");
    }

    @AfterEach
    void stopEverythingItStarted() throws IOException, InterruptedException {
        if (release == null) {
            return;
        }
        // VMs are process groups that outlive the command: stop each, then the embedded database.
        Result vms = duplex("vm", "list", "--output", "json");
        if (vms.exitCode() == 0) {
            for (JsonNode vm : new ObjectMapper().readTree(vms.out())) {
                duplex("vm", "stop", vm.get("name").asText(), "--force");
            }
        }
        duplex("db", "stop", "--force"); // a process still leaving it must not keep the database (and the temp folder) alive
    }

    @Test
    void theReadmesCommandsRunVerbatimOnTheRelease() throws IOException, InterruptedException {
        List<String> blocks = walkthrough(Files.readString(Path.of("..", "README.md")));
        assertTrue(blocks.size() >= 2, "README.md marks its walk-through blocks with " + MARKER);
        Path script = dir.resolve("walkthrough.sh");
        Files.writeString(script, "set -eux\n" + String.join("\n", blocks) + "\n");

        Result walk = run(List.of("sh", script.toString()), release, Duration.ofMinutes(10));
        System.out.println(walk); // kept in the failsafe report, to read what each command printed
        assertEquals(0, walk.exitCode(), walk.toString());

        // The failover really handed over: the new active serves as ACT and takes a write.
        JsonNode pair = new ObjectMapper().readTree(duplex("pair", "show", "kvc", "--output", "json").out());
        assertEquals("kvc-1", pair.get("active").asText(), pair.toString());
        HttpResponse<String> write = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:7101/kv/after-failover"))
                .PUT(HttpRequest.BodyPublishers.ofString("written through the new active")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, write.statusCode(), write.body());
    }

    /** The shell blocks that follow a walk-through marker, continuation lines joined. */
    static List<String> walkthrough(String readme) {
        List<String> blocks = new ArrayList<>();
        String[] lines = readme.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().equals(MARKER)) {
                continue;
            }
            int open = i + 1;
            while (open < lines.length && lines[open].isBlank()) {
                open++;
            }
            if (open >= lines.length || !lines[open].strip().startsWith("```sh")) {
                throw new AssertionError("README.md line " + (i + 1) + ": " + MARKER + " must be followed by a ```sh block");
            }
            StringBuilder block = new StringBuilder();
            int line = open + 1;
            for (; line < lines.length && !lines[line].strip().equals("```"); line++) {
                block.append(lines[line]).append('\n');
            }
            blocks.add(block.toString());
            i = line;
        }
        return blocks;
    }

    private Result duplex(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(release.resolve("bin/duplex").toString());
        command.addAll(List.of(args));
        return run(command, release, Duration.ofMinutes(2));
    }

    private Result run(List<String> command, Path workingDirectory, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("DUPLEX_"));
        if (release != null) {
            env.put("PATH", release.resolve("bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("DUPLEX_HOME", home.toString());
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within " + timeout + "\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }
}
