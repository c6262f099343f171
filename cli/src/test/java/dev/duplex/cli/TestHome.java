package dev.duplex.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A fresh folder for a test's Duplex home, under the module's target/: it goes with the build, not into /tmp. */
public final class TestHome {
    private TestHome() {}

    public static Path create(String prefix) throws IOException {
        return Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), prefix);
    }
}
