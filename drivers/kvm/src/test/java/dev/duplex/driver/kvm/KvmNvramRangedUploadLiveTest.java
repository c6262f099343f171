package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A patch of a UEFI VM's variable store on a real libvirtd uploads only its changed runs
 * (a server-side clone of the current generation, then one ranged {@code virStorageVolUpload} per
 * run) and still switches generations in one redefine; a write cut off after the ranged uploads
 * leaves the store exactly as it was. Also reports ranged versus whole-store write times for one
 * changed run on the real OVMF store (540,672 bytes) and a 4 MiB store (and 64 MiB with
 * {@code -Dduplex.kvm.nvram-bench=full}).
 */
class KvmNvramRangedUploadLiveTest {
    private static final Path TEMPLATE = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
    private static final int REPEATS = 5;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Random random = new Random(42);
    private KvmDriver driver;
    private ImageRef image;
    private VmRef vm;
    private EnvironmentStore store;

    @BeforeEach
    void connect() {
        connect(Map.of("firmware", "uefi"));
    }

    private void connect(Map<String, String> settings) {
        HypervisorDriver connected = new KvmDriverProvider().connect(LiveLibvirt.get().config("live-nvram", settings));
        driver = (KvmDriver) connected;
        image = driver.registerImage(new ImageSpec("nvram-" + run, "v1", LiveLibvirt.guest("v1"), Map.of()));
        vm = driver.createVm(new VmSpec("nvram-" + run, image, List.of(), Map.of()));
        store = driver.environment(vm);
    }

    /** A new VM whose variable store starts from {@code template} (read when the VM is created). */
    private void useVariableStoreTemplate(Path template) {
        cleanUp();
        connect(Map.of("firmware", "uefi", "ovmf-vars", template.toString()));
    }

    @AfterEach
    void cleanUp() {
        driver.deleteVm(vm);
        driver.deleteImage(image);
        driver.close();
    }

    @Test
    void aPatchUploadsOnlyItsRunsIntoANewGenerationAndSwitchesInOneRedefine() throws Exception {
        byte[] template = Files.readAllBytes(TEMPLATE);
        Path first = nvramFile();
        // Two runs of a diff, the second split into two adjacent entries (joined into one upload).
        List<BytePatch> patches = List.of(patch(0x1234, 5), patch(0x40000, 8), patch(0x40008, 300));
        byte[] expected = applied(template, patches);
        store.write(new EnvironmentUpdate(0, 7, List.of(new ItemChange.Patch("settings", template.length, patches),
                new ItemChange.Replace(new EnvironmentItem("configuration", new byte[] {1, 2, 3})))));

        EnvironmentSnapshot after = store.read();
        assertEquals(7, after.revision());
        assertArrayEquals(expected, after.item("settings").orElseThrow().content());
        assertArrayEquals(new byte[] {1, 2, 3}, after.item("configuration").orElseThrow().content());
        Path second = nvramFile();
        assertNotEquals(first, second, "a patch goes to a new generation, never the store the domain boots with");
        assertArrayEquals(expected, Files.readAllBytes(second), "the file the domain now boots with");
        assertFalse(Files.exists(first), "the old generation is deleted after the redefine");

        // A patch computed against another revision is refused before anything is cloned or uploaded.
        assertThrows(ConflictException.class, () -> store.write(new EnvironmentUpdate(6, 8,
                List.of(new ItemChange.Patch("settings", template.length, List.of(patch(0x1234, 5)))))));
        assertEquals(second, nvramFile());
        assertArrayEquals(expected, store.read().item("settings").orElseThrow().content());
        assertEquals(7, store.read().revision());

        // Many runs (past the ranged-upload limit) and a length change are written whole; same result.
        var many = new ArrayList<BytePatch>();
        for (int i = 0; i <= NvramRuns.MAX_RANGED_UPLOADS; i++) {
            many.add(patch(0x2000 + i * 64L, 16));
        }
        expected = applied(expected, many);
        store.write(new EnvironmentUpdate(7, 8, List.of(new ItemChange.Patch("settings", template.length, many))));
        assertArrayEquals(expected, store.read().item("settings").orElseThrow().content());
        assertEquals(8, store.read().revision());
    }

    @Test
    void contentThatIsNotThisFirmwaresVariableStoreIsRefusedBeforeAnythingIsWritten() throws Exception {
        byte[] template = Files.readAllBytes(TEMPLATE);
        EnvironmentSnapshot before = store.read();
        Path current = nvramFile();
        // Another driver's 'settings' (the local driver's is a file of any size), a store of another
        // firmware build, one of the right size without the firmware-volume signature, and a patch that
        // breaks the signature or the size: each would be written and fail only at boot.
        byte[] local = new byte[8192];
        random.nextBytes(local);
        byte[] unsigned = template.clone();
        unsigned[41] = 'X';
        List<EnvironmentSnapshot> refused = List.of(
                new EnvironmentSnapshot(1, List.of(new EnvironmentItem("settings", local))),
                new EnvironmentSnapshot(1, List.of(new EnvironmentItem("settings", Arrays.copyOf(template, 128 * 1024)))),
                new EnvironmentSnapshot(1, List.of(new EnvironmentItem("settings", unsigned))),
                new EnvironmentSnapshot(1, List.of(new EnvironmentItem("configuration", new byte[] {1}))));
        for (EnvironmentSnapshot target : refused) {
            InvalidSpecException checked = assertThrows(InvalidSpecException.class, () -> store.check(target));
            assertTrue(checked.getMessage().contains(vm.toString()) && checked.getMessage().contains("settings"), checked.getMessage());
            if (target.item("settings").isPresent()) {
                assertThrows(InvalidSpecException.class, () -> store.write(new EnvironmentUpdate(0, 1,
                        List.of(new ItemChange.Replace(target.item("settings").orElseThrow())))));
            }
        }
        assertThrows(InvalidSpecException.class, () -> store.write(new EnvironmentUpdate(0, 1, List.of(
                new ItemChange.Patch("settings", template.length, List.of(new BytePatch(40, new byte[] {'_', 'F', 'V', 'X'})))))));
        assertThrows(InvalidSpecException.class, () -> store.write(new EnvironmentUpdate(0, 1, List.of(
                new ItemChange.Patch("settings", template.length + 4096, List.of(new BytePatch(template.length, new byte[4096])))))));
        assertEquals(before, store.read(), "nothing was written");
        assertEquals(current, nvramFile(), "the domain boots from the same store");
        store.check(before); // its own info is fine
    }

    @Test
    void aRangedUploadCutOffBeforeTheRedefineLeavesTheStoreAsItWas() throws Exception {
        EnvironmentSnapshot before = store.read();
        byte[] settings = before.item("settings").orElseThrow().content();
        Path current = nvramFile();
        // What a write that died after its ranged uploads leaves: the next generation, patched, unreferenced.
        String stray = driver.patchNvramGeneration("nvram-" + run, KvmDriver.nvramGeneration(current.toString()) + 1,
                current.toString(), List.of(patch(0x100, 64)), ObjectId.of(vm));
        assertTrue(Files.exists(Path.of(stray)));

        EnvironmentSnapshot seen = store.read();
        assertEquals(before.revision(), seen.revision(), "a reader sees the old revision");
        assertArrayEquals(settings, seen.item("settings").orElseThrow().content(), "and the old content, byte for byte");
        assertEquals(current, nvramFile());
        assertArrayEquals(settings, Files.readAllBytes(current), "the store the domain boots with was never written");

        // The next write replaces the leftover generation and succeeds.
        List<BytePatch> patches = List.of(patch(0x200, 32));
        store.write(new EnvironmentUpdate(before.revision(), before.revision() + 1,
                List.of(new ItemChange.Patch("settings", settings.length, patches))));
        assertArrayEquals(applied(settings, patches), store.read().item("settings").orElseThrow().content());
        assertArrayEquals(applied(settings, patches), Files.readAllBytes(Path.of(stray)), "the leftover's name now holds the real write");
    }

    /** The figures for docs/benchmarks.md: one changed run written by ranged upload versus the whole store. */
    @Test
    void oneChangedRunCostsARangedUploadNotAWholeStore() throws Exception {
        var figures = new LinkedHashMap<String, String>();
        // 64 MiB only on request (-Dduplex.kvm.nvram-bench=full): it adds about a minute to the live tier.
        List<Integer> sizes = "full".equals(System.getProperty("duplex.kvm.nvram-bench"))
                ? List.of((int) Files.size(TEMPLATE), 4 << 20, 64 << 20)
                : List.of((int) Files.size(TEMPLATE), 4 << 20);
        byte[] signature = Arrays.copyOf(Files.readAllBytes(TEMPLATE), 64);
        for (int size : sizes) {
            // A variable store of this size (a firmware build with a bigger store; never booted here):
            // its template carries OVMF's firmware-volume header, as a real one does.
            byte[] content = new byte[size];
            random.nextBytes(content);
            System.arraycopy(signature, 0, content, 0, signature.length);
            Path sized = Files.write(Files.createTempFile("nvram-" + run + "-" + size, ".fd"), content);
            useVariableStoreTemplate(sized);
            long revision = 0;
            long[] ranged = new long[REPEATS];
            long[] whole = new long[REPEATS];
            long[] rangedMany = new long[REPEATS];
            long[] download = new long[REPEATS];
            for (int i = 0; i < REPEATS; i++) {
                List<BytePatch> one = List.of(patch(size / 2 + 64L * i, 64));
                content = applied(content, one);
                long t = System.nanoTime();
                store.write(new EnvironmentUpdate(revision, revision + 1, List.of(new ItemChange.Patch("settings", size, one))));
                ranged[i] = System.nanoTime() - t;
                revision++;

                var runs = new ArrayList<BytePatch>();
                for (int r = 0; r < NvramRuns.MAX_RANGED_UPLOADS; r++) {
                    runs.add(patch((long) r * (size / NvramRuns.MAX_RANGED_UPLOADS) + i * 8L, 8));
                }
                content = applied(content, runs);
                t = System.nanoTime();
                store.write(new EnvironmentUpdate(revision, revision + 1, List.of(new ItemChange.Patch("settings", size, runs))));
                rangedMany[i] = System.nanoTime() - t;
                revision++;

                content = applied(content, List.of(patch(size / 3 + 64L * i, 64)));
                t = System.nanoTime();
                store.write(new EnvironmentUpdate(revision, revision + 1,
                        List.of(new ItemChange.Replace(new EnvironmentItem("settings", content)))));
                whole[i] = System.nanoTime() - t;
                revision++;

                // What a patch cost before ranged uploads: this download, then a whole upload.
                String path = nvramFile().toString();
                t = System.nanoTime();
                byte[] downloaded = driver.readNvram(path, ObjectId.of(vm));
                download[i] = System.nanoTime() - t;
                assertEquals(size, downloaded.length);
            }
            EnvironmentSnapshot now = store.read();
            assertEquals(revision, now.revision());
            assertArrayEquals(content, now.item("settings").orElseThrow().content(), "every write landed, byte for byte");
            figures.put(size + " bytes", "1 run ranged " + ms(ranged) + ", " + NvramRuns.MAX_RANGED_UPLOADS + " runs ranged "
                    + ms(rangedMany) + ", whole store " + ms(whole) + ", download of the store " + ms(download));
            Files.delete(sized);
        }
        System.out.println("KVM live timings, NVRAM write (clone + ranged uploads vs whole upload; each + redefine; median of "
                + REPEATS + ", min-max): " + figures);
    }

    private BytePatch patch(long offset, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return new BytePatch(offset, bytes);
    }

    private static byte[] applied(byte[] base, List<BytePatch> patches) {
        byte[] out = base.clone();
        patches.forEach(p -> System.arraycopy(p.bytes(), 0, out, (int) p.offset(), p.length()));
        return out;
    }

    private static String ms(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("%.1f ms (%.1f-%.1f)", sorted[sorted.length / 2] / 1e6, sorted[0] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private Path nvramFile() {
        return Path.of(driver.persistentXml(vm).nvramPath().orElseThrow());
    }
}
