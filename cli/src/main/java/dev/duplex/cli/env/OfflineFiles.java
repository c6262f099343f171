package dev.duplex.cli.env;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/** Reading the files the env commands are given, with errors that name the file and its role. */
final class OfflineFiles {
    private OfflineFiles() {
    }

    static byte[] read(Path file, String role) {
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException("The " + role + " " + file + " is a folder, not a file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("The " + role + " file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the " + role + " file " + file + ": " + e.getMessage(), e);
        }
    }

    static int crc32c(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
