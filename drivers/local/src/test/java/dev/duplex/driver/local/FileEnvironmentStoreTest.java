package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.BytePatch;
import dev.duplex.api.DriverException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.VmRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The atomicity the failover relies on: a failed write leaves {@code current} exactly as it was. */
class FileEnvironmentStoreTest {
    private static final VmRef VM = new VmRef("vm-1", "sbx");

    @TempDir
    Path folder;

    private final ReentrantLock lock = new ReentrantLock();

    private FileEnvironmentStore store(FileEnvironmentStore.Checkpoint checkpoint) {
        return new FileEnvironmentStore(folder, VM, lock, checkpoint);
    }

    /** Every file reachable through {@code current}, with its bytes, plus the link's own target. */
    private Map<String, String> currentOnDisk() throws IOException {
        Map<String, String> files = new TreeMap<>();
        Path current = folder.resolve("current");
        files.put("current ->", Files.readSymbolicLink(current).toString());
        try (Stream<Path> walk = Files.walk(current.toRealPath())) {
            for (Path file : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(file)) {
                    files.put(current.toRealPath().relativize(file).toString(), java.util.HexFormat.of().formatHex(Files.readAllBytes(file)));
                }
            }
        }
        return files;
    }

    private long generations() throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("gen-")).count();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"item settings", "item configuration", "generation written", "link created"})
    void interruptedWriteLeavesCurrentByteForByteUnchanged(String failAt) throws IOException {
        FileEnvironmentStore healthy = store(FileEnvironmentStore.Checkpoint.NONE);
        healthy.write(new EnvironmentUpdate(0, 1, List.of(
                new ItemChange.Replace(new EnvironmentItem("settings", new byte[] {1, 2, 3, 4})),
                new ItemChange.Replace(new EnvironmentItem("configuration", "mode=act".getBytes())),
                new ItemChange.Replace(new EnvironmentItem("untouched", new byte[] {42})))));
        Map<String, String> before = currentOnDisk();
        EnvironmentSnapshot snapshot = healthy.read();

        FileEnvironmentStore failing = store(step -> {
            if (step.equals(failAt)) {
                throw new IOException("disk full (simulated at " + step + ")");
            }
        });
        DriverException e = assertThrows(DriverException.class, () -> failing.write(new EnvironmentUpdate(1, 2, List.of(
                new ItemChange.Patch("settings", 6, List.of(new BytePatch(4, new byte[] {5, 6}))),
                new ItemChange.Replace(new EnvironmentItem("configuration", "mode=sby".getBytes()))))));

        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertTrue(e.getCause() instanceof IOException, "the cause is kept");
        assertEquals(before, currentOnDisk());
        assertEquals(snapshot, healthy.read());
        assertEquals(1, generations(), "the half-built generation is removed");

        // The store still works after the failure.
        healthy.write(new EnvironmentUpdate(1, 2, List.of(
                new ItemChange.Patch("settings", 6, List.of(new BytePatch(4, new byte[] {5, 6}))))));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, healthy.read().item("settings").orElseThrow().content());
        assertEquals(snapshot.item("untouched"), healthy.read().item("untouched"));
    }

    @Test
    void unchangedItemsAreSharedAndOldGenerationsRetired() throws IOException {
        FileEnvironmentStore store = store(FileEnvironmentStore.Checkpoint.NONE);
        store.write(new EnvironmentUpdate(0, 1, List.of(
                new ItemChange.Replace(new EnvironmentItem("settings", new byte[1024])),
                new ItemChange.Replace(new EnvironmentItem("configuration", new byte[] {1})))));
        Path oldSettings = folder.resolve("current").toRealPath().resolve("items").resolve("settings");
        Object oldInode = Files.getAttribute(oldSettings, "unix:ino");
        store.write(new EnvironmentUpdate(1, 2, List.of(
                new ItemChange.Replace(new EnvironmentItem("configuration", new byte[] {2})))));

        Path newSettings = folder.resolve("current").toRealPath().resolve("items").resolve("settings");
        assertEquals(oldInode, Files.getAttribute(newSettings, "unix:ino"), "unchanged item hard-linked, not copied");
        assertEquals(1, generations(), "only the live generation is kept");
        assertTrue(Files.isSymbolicLink(folder.resolve("current")));
        assertTrue(Files.readSymbolicLink(folder.resolve("current")).toString().startsWith("gen-2-"));
        assertTrue(Files.isDirectory(newSettings.getParent(), LinkOption.NOFOLLOW_LINKS));
    }
}
