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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's walk-through, typed verbatim on the release: the tarball this build made is
 * unpacked, and every shell block of README.md marked {@code <!-- walkthrough -->} runs, in order,
 * in one shell in the unpacked folder with its {@code bin/} on the PATH and a fresh home. Then the
 * outcome is checked as an operator would: the pair failed over, and the new active takes writes.
 */
class ReadmeWalkthroughIT extends OnTheRelease {
    private static final String MARKER = "<!-- walkthrough -->";


    @Test
    void theReadmesCommandsRunVerbatimOnTheRelease() throws IOException, InterruptedException {
        List<String> blocks = walkthrough(Files.readString(Path.of("..", "README.md")));
        assertTrue(blocks.size() >= 2, "README.md marks its walk-through blocks with " + MARKER);
        Path script = dir.resolve("walkthrough.sh");
        Files.writeString(script, "set -eux\n" + String.join("\n", blocks) + "\n");

        Release.Result walk = release.shell("sh " + script, Duration.ofMinutes(10));
        System.out.println(walk); // kept in the failsafe report, to read what each command printed
        assertEquals(0, walk.exitCode(), walk.toString());

        // The failover really handed over: the new active serves as ACT and takes a write.
        JsonNode pair = new ObjectMapper().readTree(release.duplex("pair", "show", "kvc", "--output", "json").out());
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
}
