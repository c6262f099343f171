package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * When the embedded PostgreSQL was last left unused and how long it may stay up so, as the last
 * Duplex process to leave it wrote in {@code <home>/db/idle.properties} (0600). The last writer's
 * {@code duplex.db.idle-stop} wins.
 *
 * @param lastUsed when the last Duplex process stopped using it
 * @param idleStop how long it stays up after that
 */
record IdleDeadline(Instant lastUsed, Duration idleStop) {
    static final String FILE_NAME = "idle.properties";

    IdleDeadline {
        requireNonNull(lastUsed, "lastUsed is null");
        requireNonNull(idleStop, "idleStop is null");
    }

    Instant stopsAt() {
        return lastUsed.plus(idleStop);
    }

    void write(Path folder) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("last-used-at", lastUsed.toString());
        properties.setProperty("idle-stop", idleStop.toString());
        StringWriter writer = new StringWriter();
        properties.store(writer, "When the embedded PostgreSQL was last left unused, and how long it stays up so");
        PrivateFiles.write(folder.resolve(FILE_NAME), writer.toString());
    }

    /** What the file says; empty when it is missing or unreadable (the watcher then waits a default idle time). */
    static Optional<IdleDeadline> read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
            return Optional.of(new IdleDeadline(Instant.parse(properties.getProperty("last-used-at")),
                    Duration.parse(properties.getProperty("idle-stop"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static void delete(Path folder) {
        try {
            Files.deleteIfExists(folder.resolve(FILE_NAME));
        } catch (IOException e) {
            // a stale deadline only matters while a server runs; the next leaver rewrites it
        }
    }
}
