package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A patch-only update is written where the items lie, through the redo journal: it costs the
 * changed bytes, and whatever stops it, the store reads as the old or the new revision.
 */
class PatchInPlaceTest {
    private static final VmRef VM = new VmRef("vm-1", "sbx");
    private static final int SIZE = 64 * 1024;

    /** Stands for the process dying at a step: not an IOException, so no cleanup code runs. */
    static final class Crash extends Error {
        Crash(String step) {
            super("crashed at " + step);
        }
    }

    @TempDir
    Path vmFolder;

    private Path folder;
    private final ReentrantLock lock = new ReentrantLock();
    private byte[] settings;
    private EnvironmentSnapshot old;

    @BeforeEach
    void oneRevision() {
        folder = vmFolder.resolve("environment");
        settings = new byte[SIZE];
        new Random(7).nextBytes(settings);
        store().write(new EnvironmentUpdate(0, 1, List.of(
                new ItemChange.Replace(new EnvironmentItem("settings", settings)),
                new ItemChange.Replace(new EnvironmentItem("configuration", "mode=act".getBytes())))));
        old = store().read();
    }

    private FileEnvironmentStore store() {
        return store(FileEnvironmentStore.Checkpoint.NONE);
    }

    private FileEnvironmentStore store(FileEnvironmentStore.Checkpoint checkpoint) {
        return new FileEnvironmentStore(folder, VM, lock, checkpoint);
    }

    private static EnvironmentUpdate twoRanges() {
        return new EnvironmentUpdate(1, 2, List.of(
                new ItemChange.Patch("settings", SIZE + 100, List.of(
                        new BytePatch(10, new byte[] {1, 2, 3}), new BytePatch(40_000, new byte[] {9, 9}))),
                new ItemChange.Patch("configuration", 8, List.of(new BytePatch(5, "sby".getBytes())))));
    }

    private byte[] newSettings() {
        byte[] expected = Arrays.copyOf(settings, SIZE + 100);
        expected[10] = 1;
        expected[11] = 2;
        expected[12] = 3;
        expected[40_000] = 9;
        expected[40_001] = 9;
        return expected;
    }

    private void assertNew(EnvironmentSnapshot read) {
        assertEquals(2, read.revision());
        assertArrayEquals(newSettings(), read.item("settings").orElseThrow().content());
        assertArrayEquals("mode=sby".getBytes(), read.item("configuration").orElseThrow().content());
    }

    private Path item(String name) throws IOException {
        return folder.resolve("current").toRealPath().resolve("items").resolve(name);
    }

    private Path journal() {
        return folder.resolve("journal");
    }

    @Test
    void aPatchIsWrittenWhereTheItemLiesAndTheJournalIsEmptiedAfter() throws IOException {
        Path generation = folder.resolve("current").toRealPath();
        Object inode = Files.getAttribute(item("settings"), "unix:ino");

        store().write(twoRanges());

        assertNew(store().read());
        assertEquals(generation, folder.resolve("current").toRealPath(), "no new generation");
        assertEquals(inode, Files.getAttribute(item("settings"), "unix:ino"), "the same file, patched");
        assertEquals(0, Files.size(journal()), "the journal is done");
        assertEquals(0600, mode(journal()));
        assertEquals(0600, mode(folder.resolve("lock")));
        assertEquals(0700, mode(folder));
    }

    @Test
    void manyCloseRangesAreWrittenAsSpansWithTheGapsKept() throws IOException {
        var ranges = new java.util.ArrayList<BytePatch>();
        byte[] expected = settings.clone();
        var random = new Random(3);
        for (long offset = 5; offset + 8 <= SIZE; offset += random.nextInt(4) == 0 ? 5000 + random.nextInt(3000) : 20 + random.nextInt(200)) {
            byte[] bytes = new byte[1 + random.nextInt(8)];
            random.nextBytes(bytes);
            ranges.add(new BytePatch(offset, bytes));
            System.arraycopy(bytes, 0, expected, (int) offset, bytes.length);
        }
        var update = new EnvironmentUpdate(1, 2, List.of(new ItemChange.Patch("settings", SIZE, ranges)));
        assertThrows(Crash.class, () -> store(crashAt("patch settings 1")).write(update));

        EnvironmentSnapshot read = store().read();
        assertEquals(2, read.revision());
        assertArrayEquals(expected, read.item("settings").orElseThrow().content());
        assertTrue(ranges.size() > 20, "enough ranges for spans: " + ranges.size());
    }

    @Test
    void aPatchOfMoreThanHalfItsItemWritesANewGenerationInstead() throws IOException {
        Path generation = folder.resolve("current").toRealPath();
        byte[] most = new byte[SIZE * 3 / 4];
        store().write(new EnvironmentUpdate(1, 2, List.of(new ItemChange.Patch("settings", SIZE, List.of(new BytePatch(0, most))))));

        assertNotEquals(generation, folder.resolve("current").toRealPath());
        byte[] expected = settings.clone();
        Arrays.fill(expected, 0, most.length, (byte) 0);
        assertArrayEquals(expected, store().read().item("settings").orElseThrow().content());
        assertEquals(2, store().read().revision());
    }

    @Test
    void aWrongExpectedRevisionIsAConflictAndChangesNothing() {
        var stale = new EnvironmentUpdate(0, 2, List.of(new ItemChange.Patch("settings", SIZE, List.of(new BytePatch(0, new byte[] {1})))));
        assertThrows(ConflictException.class, () -> store().write(stale));
        assertEquals(old, store().read());
    }

    @Test
    void aFailureBeforeTheJournalIsSyncedLeavesTheOldRevision() {
        for (String step : List.of("journal opened", "journal written")) {
            DriverException e = assertThrows(DriverException.class, () -> store(at(step)).write(twoRanges()));
            assertTrue(e.getMessage().contains("simulated at " + step), e.getMessage());
            assertEquals(old, store().read(), step);
        }
    }

    @Test
    void aFailureAfterTheJournalIsSyncedIsFinishedByTheNextRead() {
        DriverException e = assertThrows(DriverException.class, () -> store(at("patch settings 0")).write(twoRanges()));
        assertTrue(e.getMessage().contains("finished at the next read or write"), e.getMessage());
        assertNew(store().read());
    }

    @Test
    void aJournalTornBeforeItsFsyncIsDroppedAndTheItemsAreTheOldOnes() throws IOException {
        assertThrows(Crash.class, () -> store(crashAt("journal written")).write(twoRanges()));
        byte[] whole = Files.readAllBytes(journal());
        assertTrue(whole.length > 0, "the crash left the record");
        for (int keep : new int[] {0, 1, 8, whole.length / 2, whole.length - 1}) {
            Files.write(journal(), Arrays.copyOf(whole, keep));
            assertEquals(old, store().read(), "torn to " + keep + " bytes");
        }
        byte[] flipped = whole.clone();
        flipped[whole.length / 3] ^= 0x40;
        Files.write(journal(), flipped);
        assertEquals(old, store().read(), "a record whose CRC32C fails");
        assertEquals(0, Files.size(journal()));
    }

    @Test
    void aCrashAtAnyStepAfterTheJournalIsSyncedIsFinishedOnOpen() throws IOException {
        List<String> steps = List.of("journal synced", "patch settings 0", "patch settings 1", "item synced settings",
                "patch configuration 0", "item synced configuration", "revision written", "revision synced",
                "journal done");
        for (String step : steps) {
            oneRevisionAgain();
            assertThrows(Crash.class, () -> store(crashAt(step)).write(twoRanges()), step);
            // A second crash while the journal is being finished changes nothing either.
            if (step.startsWith("patch")) {
                assertThrows(Crash.class, () -> store(crashAt("patch settings 1")).read(), step);
            }
            assertNew(store().read());
            assertEquals(0, Files.size(journal()), step);
        }
    }

    @Test
    void aRevisionFileACrashCutShortIsWrittenAgainFromTheJournal() throws IOException {
        assertThrows(Crash.class, () -> store(crashAt("revision written")).write(twoRanges()));
        Path revision = folder.resolve("current").toRealPath().resolve("revision");
        Files.write(revision, new byte[] {'1'}); // half of "2\n" over "1\n", say
        assertNew(store().read());
        Files.write(revision, new byte[] {'x', 0});
        assertThrows(DriverException.class, () -> store().read(), "without a journal, a broken revision is an error");
    }

    @Test
    void aFinishedJournalWhoseEmptyingACrashUndidIsHarmless() throws IOException {
        assertThrows(Crash.class, () -> store(crashAt("revision synced")).write(twoRanges()));
        byte[] finished = Files.readAllBytes(journal());
        store().read();
        assertEquals(0, Files.size(journal()));

        Files.write(journal(), finished); // as if the emptying never reached the disk
        assertNew(store().read());

        // Overtaken by a new generation, the journal names a generation that is gone: dropped.
        store().write(new EnvironmentUpdate(2, 3, List.of(new ItemChange.Replace(new EnvironmentItem("settings", settings)))));
        EnvironmentSnapshot third = store().read();
        Files.write(journal(), finished);
        assertEquals(third, store().read());
        assertEquals(0, Files.size(journal()));
    }

    @Test
    void aHardLinkedItemIsNeverPatchedThroughItsOtherName() throws IOException {
        Path outside = vmFolder.resolve("outside");
        Files.createLink(outside, item("settings"));
        store().write(twoRanges());
        assertArrayEquals(settings, Files.readAllBytes(outside), "the other name still holds the old bytes");
        assertNew(store().read());
    }

    @Test
    void anItemThatIsASymbolicLinkIsNotWrittenThrough() throws IOException {
        Path outside = Files.write(vmFolder.resolve("outside"), settings);
        Path settingsItem = item("settings");
        Files.delete(settingsItem);
        Files.createSymbolicLink(settingsItem, outside);
        store().write(twoRanges());
        assertArrayEquals(settings, Files.readAllBytes(outside), "the link's target is untouched");
    }

    @Test
    void aPlantedJournalIsRefusedUnlessItIsAPrivateFileOfOurs() throws IOException {
        byte[] record = PatchJournal.encode(new PatchJournal.Entry(folder.resolve("current").toRealPath().getFileName()
                .toString(), 1, 2, List.of(new ItemChange.Patch("settings", SIZE, List.of(new BytePatch(0, new byte[] {7}))))));
        Files.write(journal(), record);

        Files.setAttribute(journal(), "unix:mode", 0644);
        assertRefused("mode 644");
        Files.setAttribute(journal(), "unix:mode", 0600);
        if (isRoot()) {
            Files.setAttribute(journal(), "unix:uid", 65534);
            assertRefused("owned by uid 65534");
            Files.setAttribute(journal(), "unix:uid", 0);
        } else {
            assertTrue(System.getenv("CI") == null, "CI runs the tests as root, which the foreign-owner case needs");
        }
        Path elsewhere = Files.write(vmFolder.resolve("elsewhere"), record);
        Files.delete(journal());
        Files.createSymbolicLink(journal(), elsewhere);
        assertRefused("not a regular file");
        Files.delete(journal());
        Files.createLink(journal(), elsewhere);
        assertRefused("hard links");
        Files.delete(journal());

        Files.setAttribute(folder.resolve("lock"), "unix:mode", 0666);
        assertRefused("mode 666");
    }

    @Test
    void aCurrentLinkToAnotherFolderIsRefused() throws IOException {
        Path elsewhere = Files.createDirectories(vmFolder.resolve("elsewhere").resolve("items"));
        Files.writeString(elsewhere.getParent().resolve("revision"), "1\n");
        Files.write(elsewhere.resolve("settings"), settings);
        for (Path target : List.of(elsewhere.getParent(), Path.of("..", "elsewhere"))) {
            Files.delete(folder.resolve("current"));
            Files.createSymbolicLink(folder.resolve("current"), target);
            DriverException e = assertThrows(DriverException.class, () -> store().write(twoRanges()));
            assertTrue(e.getMessage().contains("does not name a generation folder"), e.getMessage());
            assertArrayEquals(settings, Files.readAllBytes(elsewhere.resolve("settings")));
        }
    }

    private void assertRefused(String why) {
        DriverException e = assertThrows(DriverException.class, () -> store().read(), why);
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    private void oneRevisionAgain() throws IOException {
        TreeDeletion.delete(folder);
        oneRevision();
    }

    private static FileEnvironmentStore.Checkpoint at(String failAt) {
        return step -> {
            if (step.equals(failAt)) {
                throw new IOException("disk full (simulated at " + step + ")");
            }
        };
    }

    private static FileEnvironmentStore.Checkpoint crashAt(String crashAt) {
        return step -> {
            if (step.equals(crashAt)) {
                throw new Crash(step);
            }
        };
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777;
    }

    static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
