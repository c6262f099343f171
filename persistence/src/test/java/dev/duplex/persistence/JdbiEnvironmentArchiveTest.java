package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiEnvironmentArchiveTest {
    private Database database;
    private JdbiEnvironmentArchive archive;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("environment_archive_test");
        archive = new JdbiEnvironmentArchive(database.jdbi());
    }

    @AfterAll
    void stop() {
        database.close();
    }

    private static StoredRevision revision(String target, long number, String... contents) {
        List<EnvironmentItem> items = new java.util.ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            items.add(new EnvironmentItem(i == 0 ? "settings" : "configuration-" + i, contents[i].getBytes(StandardCharsets.UTF_8)));
        }
        return new StoredRevision(target, new EnvironmentSnapshot(number, items), Instant.parse("2026-02-03T04:05:06.789Z").plusSeconds(number));
    }

    @Test
    void revisionsRoundTripAndTheLatestIsFound() {
        StoredRevision r1 = revision("kv-0", 1, "a=1", "x");
        StoredRevision r2 = revision("kv-0", 2, "a=2", "", "z".repeat(100_000));
        archive.saveRevision(r2);
        archive.saveRevision(r1);
        archive.saveRevision(revision("kv-1", 7, "other"));

        assertEquals(Optional.of(r1), archive.revision("kv-0", 1));
        assertEquals(Optional.of(r2), archive.latestRevision("kv-0"));
        assertEquals(Optional.empty(), archive.revision("kv-0", 3));
        assertEquals(Optional.empty(), archive.latestRevision("nobody"));

        StoredRevision replaced = revision("kv-0", 2, "a=3");
        archive.saveRevision(replaced);
        assertEquals(Optional.of(replaced), archive.revision("kv-0", 2), "saving a revision again replaces its items");

        StoredRevision empty = new StoredRevision("fresh", new EnvironmentSnapshot(0, List.of()), Instant.parse("2026-01-01T00:00:00Z"));
        archive.saveRevision(empty);
        assertEquals(Optional.of(empty), archive.latestRevision("fresh"));
    }

    @Test
    void aCorruptedItemIsDetectedWhenRead() {
        archive.saveRevision(revision("corrupt", 1, "good"));
        database.jdbi().useHandle(h -> h.execute("UPDATE env_revision_items SET bytes = 'evil'::bytea WHERE target = 'corrupt'"));
        var e = assertThrows(DatabaseException.class, () -> archive.revision("corrupt", 1));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void diffsRoundTripAndAreReplaced() {
        byte[] encoded = {1, 2, 3, 0, (byte) 255};
        archive.saveDiff(new StoredDiff("kv-0", 1, 2, encoded, 3));
        StoredDiff found = archive.diff("kv-0", 1, 2).orElseThrow();
        assertArrayEquals(encoded, found.encoded());
        assertEquals(3, found.entryCount());
        assertEquals(5, found.size());
        assertEquals(Optional.empty(), archive.diff("kv-0", 2, 3));

        archive.saveDiff(new StoredDiff("kv-0", 1, 2, new byte[] {9}, 1));
        assertArrayEquals(new byte[] {9}, archive.diff("kv-0", 1, 2).orElseThrow().encoded());

        var e = assertThrows(IllegalArgumentException.class, () -> archive.saveDiff(new StoredDiff("kv-0", 3, 3, new byte[0], 0)));
        assertTrue(e.getMessage().contains("env_diffs_revisions_check"), e.getMessage());
    }

    @Test
    void theNewestCalibrationIsUsed() {
        assertEquals(Optional.empty(), archive.calibration("store-a"));
        archive.saveCalibration("store-a", Map.of("per-byte-ns", "1.5", "per-entry-ns", "40"));
        archive.saveCalibration("store-a", Map.of("per-byte-ns", "1.2"));
        archive.saveCalibration("store-b", Map.of("per-byte-ns", "9"));
        assertEquals(Optional.of(Map.of("per-byte-ns", "1.2")), archive.calibration("store-a"));
        assertEquals(Optional.of(Map.of("per-byte-ns", "9")), archive.calibration("store-b"));
    }
}
