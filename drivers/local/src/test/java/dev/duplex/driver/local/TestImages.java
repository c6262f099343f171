package dev.duplex.driver.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes local image source folders for tests: a manifest and a small file. */
final class TestImages {
    /** Runs until stopped; sh and its sleep die on SIGTERM. */
    static final String RUN_FOREVER = "while true; do sleep 1; done";

    private TestImages() {}

    static Path write(Path folder, String version, String command) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve(ImageFolder.MANIFEST), "version=" + version + "\ncommand=" + command + "\n");
            Files.writeString(folder.resolve("README"), "software " + version + "\n");
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
