package dev.duplex.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Keeps a log that another process appends to (the embedded server's postgres.log) from growing
 * without end: before the server starts, a log past its size limit becomes {@code NAME.1}, the
 * older generations move up one, and the oldest beyond the kept count is deleted. Renames keep the
 * files' owner and 0600 mode.
 *
 * @param maxBytes the size from which the log is rotated
 * @param kept how many old generations stay
 */
record LogGenerations(long maxBytes, int kept) {
    /** postgres.log: 10 MiB, five old generations (also in conf/duplex.properties' comments and the README). */
    static final LogGenerations POSTGRES = new LogGenerations(10L << 20, 5);

    LogGenerations {
        if (maxBytes <= 0 || kept < 1) {
            throw new IllegalArgumentException("a log is rotated from a positive size and keeps at least one generation");
        }
    }

    /** Rotates the log if it is at least {@code maxBytes}; returns whether it did. */
    boolean rotate(Path log) throws IOException {
        if (!Files.isRegularFile(log, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(log) < maxBytes) {
            return false;
        }
        Files.deleteIfExists(generation(log, kept));
        for (int i = kept - 1; i >= 1; i--) {
            Path older = generation(log, i);
            if (Files.exists(older, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.move(older, generation(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(log, generation(log, 1), StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    static Path generation(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }
}
