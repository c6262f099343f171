package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** postgres.log's generations: rotated past its size, the oldest dropped, modes kept. */
class LogGenerationsTest {
    @TempDir
    Path folder;

    private final LogGenerations generations = new LogGenerations(10, 2);

    @Test
    void aSmallLogStays() throws Exception {
        Path log = write("postgres.log", "short");
        assertFalse(generations.rotate(log));
        assertEquals("short", Files.readString(log));
    }

    @Test
    void aLogPastItsSizeBecomesTheFirstGenerationAndTheOldestGoes() throws Exception {
        Path log = folder.resolve("postgres.log");
        for (String run : new String[] {"first run!!", "second run!", "third run!!"}) {
            write("postgres.log", run);
            assertTrue(generations.rotate(log));
        }
        assertFalse(Files.exists(log), "the server starts a fresh log");
        assertEquals("third run!!", Files.readString(LogGenerations.generation(log, 1)));
        assertEquals("second run!", Files.readString(LogGenerations.generation(log, 2)));
        assertFalse(Files.exists(LogGenerations.generation(log, 3)), "only two generations are kept");
    }

    @Test
    void aRotatedLogKeepsItsPrivateMode() throws Exception {
        Path log = write("postgres.log", "a line of the server's log");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-------"));
        generations.rotate(log);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(LogGenerations.generation(log, 1))));
    }

    @Test
    void aLinkInPlaceOfTheLogIsNotFollowed() throws Exception {
        Path elsewhere = write("elsewhere", "not the log, and long");
        Path log = Files.createSymbolicLink(folder.resolve("postgres.log"), elsewhere);
        assertFalse(generations.rotate(log));
        assertTrue(Files.isSymbolicLink(log));
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LogGenerations(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LogGenerations(10, 0));
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(folder.resolve(name), text);
    }
}
