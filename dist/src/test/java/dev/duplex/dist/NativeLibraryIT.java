package dev.duplex.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compressed diff container needs zstd's native library, and the embedded PostgreSQL's socket
 * junixsocket's. Unpacked into a shared temp folder at every start, each would be a file a root
 * process loads from a place other users can write to; the release ships them in {@code lib/native}
 * and loads them from there.
 */
class NativeLibraryIT {
    @TempDir
    Path dir;

    @Test
    void theCompressedDiffLoadsZstdFromTheReleaseAndUnpacksNothingIntoTheTempFolder() throws IOException, InterruptedException {
        Path release = unpackRelease();
        try (Stream<Path> natives = Files.walk(release.resolve("lib/native"))) {
            assertTrue(natives.anyMatch(p -> p.getFileName().toString().startsWith("libzstd-jni")), "zstd's native library is in lib/native");
        }
        // junixsocket's, for the embedded PostgreSQL's socket, by the path the launcher hands it (one per architecture)
        for (String arch : List.of("amd64", "aarch64")) {
            try (Stream<Path> libraries = Files.list(release.resolve("lib/native/linux/" + arch))) {
                assertEquals(1, libraries.filter(p -> p.getFileName().toString().startsWith("libjunixsocket-native-")).count(),
                        "one junixsocket library in lib/native/linux/" + arch);
            }
        }
        assertTrue(Files.readString(release.resolve("bin/duplex")).contains("-Dorg.newsclub.net.unix.library.override="),
                "the launcher points junixsocket at it");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        // 256 KiB and the same with 2,000 scattered one-byte changes: the compressed container is the smaller one.
        Random random = new Random(7);
        byte[] old = new byte[256 * 1024];
        random.nextBytes(old);
        byte[] changed = old.clone();
        for (int i = 0; i < 2_000; i++) {
            changed[random.nextInt(changed.length)] ^= 0x5a;
        }
        Path from = Files.write(dir.resolve("old.fd"), old);
        Path to = Files.write(dir.resolve("new.fd"), changed);
        Path out = dir.resolve("vars.diff");
        ProcessBuilder diff = new ProcessBuilder(release.resolve("bin/duplex").toString(), "env", "diff",
                "--from", from.toString(), "--to", to.toString(), "--out", out.toString())
                .redirectErrorStream(true);
        diff.environment().put("DUPLEX_HOME", dir.resolve("home").toString());
        diff.environment().put("DUPLEX_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Process process = diff.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "env diff ended");
        assertEquals(0, process.exitValue(), output);

        byte[] magic = Arrays.copyOf(Files.readAllBytes(out), 4);
        assertArrayEquals("DXDZ".getBytes(StandardCharsets.US_ASCII), magic, "written in the compressed container: " + output);
        try (Stream<Path> left = Files.list(tmp)) {
            List<Path> files = left.toList();
            assertEquals(List.of(), files, "nothing unpacked into java.io.tmpdir");
        }
    }

    private Path unpackRelease() throws IOException, InterruptedException {
        Path tarball;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            tarball = files.filter(p -> p.getFileName().toString().matches("duplex-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no duplex-*.tar.gz in target: run 'package' first"));
        }
        Path unpacked = Files.createDirectories(dir.resolve("release"));
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", unpacked.toString())
                .inheritIO().start();
        assertTrue(tar.waitFor(120, TimeUnit.SECONDS) && tar.exitValue() == 0, "tar unpacked the release");
        try (Stream<Path> folders = Files.list(unpacked)) {
            return folders.findFirst().orElseThrow();
        }
    }
}
