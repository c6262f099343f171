package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.BytePatch;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.VmRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A patch in place killed with SIGKILL at each of its steps: a child JVM ({@link PatchKillChild})
 * stops at the named step and says so, then is killed. Reopened, the store is exactly the old
 * revision (killed before any journal byte was written) or exactly the new one (killed after:
 * the journal is finished on open), byte for byte, with the revision that matches the content.
 * Each case first proves the child stopped at its step, so no case passes by a kill that landed
 * elsewhere.
 */
class PatchKillTest {
    private static final int SIZE = 1 << 20;
    private static final VmRef VM = new VmRef("vm-1", "sbx");

    @TempDir
    Path vmFolder;

    static byte[] settings() {
        byte[] bytes = new byte[SIZE];
        new Random(11).nextBytes(bytes);
        return bytes;
    }

    /** Three ranges of settings (the item grows by 4 KiB) and one of configuration, revision 1 to 2. */
    static EnvironmentUpdate update() {
        return new EnvironmentUpdate(1, 2, List.of(
                new ItemChange.Patch("settings", SIZE + 4096, List.of(new BytePatch(0, new byte[] {1, 2, 3, 4}),
                        new BytePatch(SIZE / 2, new byte[100]), new BytePatch(SIZE + 10, new byte[] {5}))),
                new ItemChange.Patch("configuration", 8, List.of(new BytePatch(5, "sby".getBytes())))));
    }

    @ParameterizedTest(name = "killed at {0} ({1}), finishing killed at {2}: {3}")
    @CsvSource({
        "journal opened,         write, -,                old",
        "journal written,        write, -,                new",
        "journal synced,         write, -,                new",
        "patch settings 0,       write, -,                new",
        "patch settings 1,       write, -,                new",
        "item synced settings,   write, -,                new",
        "patch configuration 0,  write, -,                new",
        "revision written,       write, -,                new",
        "revision synced,        write, -,                new",
        "journal done,           write, -,                new",
        "patch settings 1,       write, patch settings 0, new",
        "item synced settings,   write, revision written, new",
    })
    void killedAtAStepTheStoreReopensOldOrNewByteForByte(String step, String action, String secondStep, String expected)
            throws Exception {
        Path folder = vmFolder.resolve("environment");
        var store = new FileEnvironmentStore(folder, VM, new ReentrantLock());
        store.write(new EnvironmentUpdate(0, 1, List.of(
                new ItemChange.Replace(new EnvironmentItem("settings", settings())),
                new ItemChange.Replace(new EnvironmentItem("configuration", "mode=act".getBytes())))));
        EnvironmentSnapshot old = store.read();

        killAt(folder, step, action);
        if (!secondStep.equals("-")) {
            killAt(folder, secondStep, "read"); // killed again while finishing the journal
        }

        EnvironmentSnapshot reopened = store.read();
        if (expected.equals("old")) {
            assertEquals(old, reopened);
        } else {
            byte[] settings = Arrays.copyOf(settings(), SIZE + 4096);
            System.arraycopy(new byte[] {1, 2, 3, 4}, 0, settings, 0, 4);
            Arrays.fill(settings, SIZE / 2, SIZE / 2 + 100, (byte) 0);
            settings[SIZE + 10] = 5;
            assertEquals(2, reopened.revision());
            assertArrayEquals(settings, reopened.item("settings").orElseThrow().content());
            assertArrayEquals("mode=sby".getBytes(), reopened.item("configuration").orElseThrow().content());
        }
        assertEquals(0, Files.size(folder.resolve("journal")), "no journal is left pending");
    }

    /** Runs the child until it reports {@code step}, then kills it with SIGKILL. */
    private static void killAt(Path folder, String step, String action) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), PatchKillChild.class.getName(),
                folder.toString(), step, action));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertEquals("reached " + step, line, "the child stops at " + step + " (" + action + ")");
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "SIGKILL ends the child");
        }
    }
}
