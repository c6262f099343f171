package dev.duplex.example.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvLogTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void reopenReplaysTheLog() throws IOException {
        try (KvLog log = KvLog.open(dir)) {
            assertEquals(1, log.append("a", bytes("1")));
            assertEquals(2, log.append("b", bytes("2")));
            assertEquals(3, log.append("a", bytes("3")));
        }
        try (KvLog log = KvLog.open(dir)) {
            assertEquals(3, log.lastSeq());
            assertEquals(2, log.size());
            assertArrayEquals(bytes("3"), log.get("a").orElseThrow());
            assertArrayEquals(bytes("2"), log.get("b").orElseThrow());
            assertTrue(log.get("c").isEmpty());
            assertEquals(4, log.append("c", bytes("4")), "numbering continues after a restart");
        }
    }

    @Test
    void aTornTailIsCutAndTheRestKept() throws IOException {
        try (KvLog log = KvLog.open(dir)) {
            log.append("a", bytes("1"));
            log.append("b", bytes("2"));
        }
        long good = Files.size(dir.resolve(KvLog.LOG_FILE));
        Files.delete(dir.resolve(KvLog.INDEX_FILE)); // as after a crash before any checkpoint
        Files.write(dir.resolve(KvLog.LOG_FILE), new byte[] {0, 0, 0, 40, 0, 0, 0}, StandardOpenOption.APPEND);
        try (KvLog log = KvLog.open(dir)) {
            assertEquals(2, log.lastSeq());
            assertFalse(log.openReport().fromIndex());
            assertEquals(7, log.openReport().truncatedBytes());
            assertEquals(good, Files.size(dir.resolve(KvLog.LOG_FILE)));
        }
    }

    @Test
    void aStartAfterACheckpointScansOnlyTheTail() throws IOException {
        Path copy = dir.resolve("copy");
        try (KvLog log = KvLog.open(dir.resolve("db"))) {
            for (int i = 0; i < 100; i++) {
                log.append("k" + i, bytes("v" + i));
            }
            log.checkpoint();
            for (int i = 0; i < 5; i++) {
                log.append("t" + i, bytes("w" + i));
            }
            // a copy of the files taken now is what a kill -9 leaves behind: index at 100, log at 105
            Files.createDirectories(copy);
            Files.copy(dir.resolve("db").resolve(KvLog.LOG_FILE), copy.resolve(KvLog.LOG_FILE));
            Files.copy(dir.resolve("db").resolve(KvLog.INDEX_FILE), copy.resolve(KvLog.INDEX_FILE));
        }
        try (KvLog log = KvLog.open(copy)) {
            assertTrue(log.openReport().fromIndex());
            assertEquals(5, log.openReport().tailRecords());
            assertEquals(105, log.lastSeq());
            assertArrayEquals(bytes("v42"), log.get("k42").orElseThrow());
            assertArrayEquals(bytes("w4"), log.get("t4").orElseThrow());
        }
    }

    @Test
    void anIndexOfAnotherLogIsIgnored() throws IOException {
        try (KvLog log = KvLog.open(dir.resolve("x"))) {
            for (int i = 0; i < 10; i++) {
                log.append("x" + i, bytes("long value number " + i));
            }
        }
        try (KvLog log = KvLog.open(dir.resolve("y"))) {
            log.append("y", bytes("1"));
        }
        Files.copy(dir.resolve("x").resolve(KvLog.INDEX_FILE), dir.resolve("y").resolve(KvLog.INDEX_FILE),
                StandardCopyOption.REPLACE_EXISTING);
        try (KvLog log = KvLog.open(dir.resolve("y"))) {
            assertFalse(log.openReport().fromIndex());
            assertEquals(1, log.lastSeq());
        }
    }

    @Test
    void aSecondOpenOfTheSameFolderIsRefused() throws IOException {
        try (KvLog log = KvLog.open(dir)) {
            assertEquals(0, log.lastSeq());
            IOException e = assertThrows(IOException.class, () -> KvLog.open(dir));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void fillWritesExactlyTheSizeAndTheSameDataEachTime() throws IOException {
        long size = 3L << 20;
        long records = KvLog.fill(dir.resolve("a"), size, 32 << 10);
        KvLog.fill(dir.resolve("b"), size, 32 << 10);
        assertEquals(size, Files.size(dir.resolve("a").resolve(KvLog.LOG_FILE)));
        KvLog.Checksum a = KvLog.checksum(dir.resolve("a"));
        assertEquals(a, KvLog.checksum(dir.resolve("b")), "two fills of empty folders are identical");
        assertEquals(records, a.seq());
        assertEquals(size, a.bytes());
        try (KvLog log = KvLog.open(dir.resolve("a"))) {
            assertEquals(records, log.lastSeq());
            assertEquals(32 << 10, log.get("fill-00000001").orElseThrow().length);
        }
    }

    @Test
    void replicatedRecordsMakeAnIdenticalLog() throws IOException {
        try (KvLog act = KvLog.open(dir.resolve("act")); KvLog sby = KvLog.open(dir.resolve("sby"))) {
            for (int i = 0; i < 50; i++) {
                act.append("k" + (i % 7), bytes("value " + i));
            }
            long from = 1;
            while (sby.lastSeq() < act.lastSeq()) {
                sby.appendReplicated(KvLog.split(act.rawFrom(from, 300))); // small batches: several rounds
                from = sby.lastSeq() + 1;
            }
            sby.appendReplicated(KvLog.split(act.rawFrom(1, 1 << 20))); // a repeat is skipped, not doubled
            assertEquals(act.checksum(), sby.checksum());
            KvLog.Checksum prefix = KvLog.checksum(dir.resolve("act"), 20);
            act.append("more", bytes("x"));
            assertEquals(prefix, KvLog.checksum(dir.resolve("act"), 20), "a prefix's checksum does not change");
            assertNotEquals(act.checksum(), sby.checksum());
            assertThrows(IOException.class, () -> sby.appendReplicated(List.of(KvLog.encode(53, "gap", bytes("g")))),
                    "a gap in the sequence is refused");
        }
    }
}
