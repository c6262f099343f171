package dev.duplex.cli.env;

import dev.duplex.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.engine.envsync.DiffApplier;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffEntry;
import dev.duplex.engine.envsync.DiffHeader;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.ItemDiff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four ways {@code env apply} left a wrong file (issue 9, finding 5), each reproduced as
 * it was found: a diff that disagrees with its own checksum, a writer between the check and the
 * commit, a symlinked target owned by another user, and an attacker swapping the target in a
 * folder others can write.
 */
class EnvApplyHardeningTest {
    @TempDir
    Path dir;

    private byte[] oldBytes;
    private byte[] newBytes;
    private Path target;
    private Path diff;

    @BeforeEach
    void files() throws IOException {
        Random random = new Random(9);
        oldBytes = new byte[4096];
        random.nextBytes(oldBytes);
        newBytes = oldBytes.clone();
        for (int i = 100; i < 180; i++) {
            newBytes[i] ^= 0x5a;
        }
        newBytes[4000] ^= 1;
        target = Files.write(dir.resolve("vars.fd"), oldBytes);
        diff = dir.resolve("r1-r2.dxdf");
        Path from = Files.write(dir.resolve("from"), oldBytes);
        Path to = Files.write(dir.resolve("to"), newBytes);
        // Plain FIG. 5: these tests decode the file without its base (the container has its own tests).
        CliRun made = CliRun.of("env", "diff", "--from", from.toString(), "--to", to.toString(), "--out", diff.toString(),
                "--item", "vars", "--base-revision", "1", "--plain");
        assertEquals(0, made.exitCode(), made.toString());
    }

    private CliRun apply(Path diffFile, Path targetFile) {
        return CliRun.of("env", "apply", "--diff", diffFile.toString(), "--target", targetFile.toString());
    }

    @Test
    void aDiffWhoseEntriesDoNotProduceItsOwnAfterChecksumLeavesTheTargetUntouched() throws IOException {
        // The file checksum is valid (the encoder seals it); the item claims 32 MiB after with a CRC
        // its entries cannot produce. It used to replace the 4 KiB target and then say "restore it".
        var lying = new ItemDiff("vars", ItemDiff.Change.KEPT, oldBytes.length, 32 << 20, crc32c(oldBytes), 0x600d_f00d,
                List.of(DiffEntry.data(7, new byte[] {1, 2, 3})));
        Path bad = Files.write(dir.resolve("lying.dxdf"), new DiffEncoder().encode(new DiffInfo(DiffHeader.of(1, 2),
                List.of(lying))));

        CliRun applied = apply(bad, target);

        assertEquals(1, applied.exitCode(), applied.toString());
        assertEquals(1, applied.err().lines().count(), applied.toString());
        assertTrue(applied.err().contains("do not produce the diff's own after checksum"), applied.toString());
        assertTrue(applied.err().contains("is unchanged"), applied.toString());
        assertFalse(applied.err().contains("restore it"), applied.toString());
        assertArrayEquals(oldBytes, Files.readAllBytes(target));
        assertEquals(List.of(), TargetFiles.temporaryFiles(dir));
    }

    @Test
    void aWriterBetweenTheCheckAndTheCommitMakesTheApplyRefuseAndKeepsTheWritersBytes() throws IOException {
        byte[] writers = oldBytes.clone();
        writers[2000] ^= 0x77;
        DiffInfo decoded = new DiffDecoder().decode(Files.readAllBytes(diff));
        EnvironmentStore racing = writerAfterFirstRead(new FileItemStore(target, "vars", 1), () -> Files.write(target, writers));

        RuntimeException e = assertThrows(RuntimeException.class, () -> new DiffApplier().apply(racing, decoded));

        assertTrue(e.getMessage().contains("the target changed while applying; nothing was written"), e.getMessage());
        assertArrayEquals(writers, Files.readAllBytes(target), "the writer's bytes, not a patch of them");
        assertEquals(List.of(), TargetFiles.temporaryFiles(dir));
    }

    @Test
    void aSameContentSwapBetweenTheCheckAndTheCommitIsAlsoSeen() throws IOException {
        // Same bytes, another file: the check is of this file, not of bytes that happen to match.
        DiffInfo decoded = new DiffDecoder().decode(Files.readAllBytes(diff));
        Path swapped = Files.write(dir.resolve("swapped"), oldBytes);
        EnvironmentStore racing = writerAfterFirstRead(new FileItemStore(target, "vars", 1),
                () -> Files.move(swapped, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING));

        RuntimeException e = assertThrows(RuntimeException.class, () -> new DiffApplier().apply(racing, decoded));

        assertTrue(e.getMessage().contains("the target changed while applying; nothing was written"), e.getMessage());
        assertArrayEquals(oldBytes, Files.readAllBytes(target));
    }

    @Test
    void aSymlinkedTargetOwnedByAnotherUserIsPatchedInPlaceAndKeepsItsOwnerGroupAndMode() throws Exception {
        TargetFiles.assumeRoot();
        Path realFolder = Files.createDirectory(dir.resolve("real"));
        Path real = Files.write(realFolder.resolve("vars.fd"), oldBytes);
        TargetFiles.giveToNobody(real, 0640);
        var owner = TargetFiles.Ownership.of(real);
        Path linkFolder = Files.createDirectory(dir.resolve("links"));
        Path link = Files.createSymbolicLink(linkFolder.resolve("vars.fd"), Path.of("../real/vars.fd"));

        CliRun applied = apply(diff, link);

        assertEquals(0, applied.exitCode(), applied.toString());
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals(Path.of("../real/vars.fd"), Files.readSymbolicLink(link));
        assertArrayEquals(newBytes, Files.readAllBytes(real), "the real file has the new content");
        assertEquals(owner, TargetFiles.Ownership.of(real), "nobody:nogroup 0640 kept");
        assertEquals(List.of(), TargetFiles.temporaryFiles(realFolder));
        assertEquals(List.of(), TargetFiles.temporaryFiles(linkFolder));
    }

    @Test
    void theModeIsKeptForTheRunningUsersOwnFiles() throws IOException {
        Files.setAttribute(target, "unix:mode", 0604);
        var owner = TargetFiles.Ownership.of(target);

        CliRun applied = apply(diff, target);

        assertEquals(0, applied.exitCode(), applied.toString());
        assertArrayEquals(newBytes, Files.readAllBytes(target));
        assertEquals(owner, TargetFiles.Ownership.of(target));
    }

    @Test
    void anAttackerSwappingTheTargetForALinkInAFolderOthersCanWriteGetsNothingWritten() throws Exception {
        TargetFiles.assumeRoot();
        // A folder anyone may write (no sticky bit), a root-owned file elsewhere that the attacker
        // would like overwritten, and nobody swapping the target for a link to it after the check.
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 0777);
        Files.setAttribute(dir, "unix:mode", 0755);
        Path victim = Files.write(Files.createDirectory(dir.resolve("private")).resolve("secret"), oldBytes);
        Path sharedTarget = Files.write(shared.resolve("vars.fd"), oldBytes);
        TargetFiles.giveToNobody(sharedTarget, 0644);
        DiffInfo decoded = new DiffDecoder().decode(Files.readAllBytes(diff));
        EnvironmentStore racing = writerAfterFirstRead(new FileItemStore(sharedTarget, "vars", 1),
                () -> attacker("ln -sfn " + victim + " " + sharedTarget + ".new && mv -f " + sharedTarget + ".new "
                        + sharedTarget));

        RuntimeException e = assertThrows(RuntimeException.class, () -> new DiffApplier().apply(racing, decoded));

        assertTrue(e.getMessage().contains("the target changed while applying; nothing was written"), e.getMessage());
        assertArrayEquals(oldBytes, Files.readAllBytes(victim), "the file the link points at is untouched");
        assertEquals(victim, Files.readSymbolicLink(sharedTarget), "the attacker's link was not replaced either");
        assertEquals(0, (Integer) Files.getAttribute(victim, "unix:uid"));
        assertEquals(List.of(), TargetFiles.temporaryFiles(shared));
    }

    @Test
    void racedByAWriterEachApplyEndsWithTheWritersBytesOrTheDiffsResultNeverAMix() throws Exception {
        byte[] big = new byte[4 << 20];
        new Random(11).nextBytes(big);
        byte[] bigNew = big.clone();
        for (int i = 0; i < bigNew.length; i += 4099) {
            bigNew[i] ^= 0x3c;
        }
        byte[] writers = big.clone();
        writers[writers.length / 2] ^= 1;
        Path from = Files.write(dir.resolve("big.from"), big);
        Path to = Files.write(dir.resolve("big.to"), bigNew);
        Path bigDiff = dir.resolve("big.dxdf");
        assertEquals(0, CliRun.of("env", "diff", "--from", from.toString(), "--to", to.toString(), "--out",
                bigDiff.toString(), "--item", "vars").exitCode());
        Path raced = dir.resolve("raced.fd");
        Files.write(raced, big);
        long started = System.nanoTime();
        assertEquals(0, apply(bigDiff, raced).exitCode());
        long applyMicros = Math.max(1000, (System.nanoTime() - started) / 1000);
        Random random = new Random(12);
        int refused = 0;
        int applied = 0;
        for (int round = 0; round < 40; round++) {
            Files.write(raced, big);
            // from before the apply reads to after it renamed: every gap of it gets a writer
            long delayMicros = (long) (random.nextDouble() * 1.5 * applyMicros);
            Thread writer = new Thread(() -> {
                java.util.concurrent.locks.LockSupport.parkNanos(delayMicros * 1000L);
                try {
                    Files.write(raced, writers); // in place: truncate, then write
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            CliRun run = apply(bigDiff, raced);
            writer.join();
            byte[] now = Files.readAllBytes(raced);
            if (run.exitCode() == 0) {
                applied++;
                assertTrue(java.util.Arrays.equals(now, bigNew) || java.util.Arrays.equals(now, writers),
                        "round " + round + ": applied, then the writer may have written after it; nothing else");
            } else {
                refused++;
                assertEquals(1, run.err().lines().count(), run.toString());
                assertArrayEquals(writers, now, "round " + round + ": refused, so the file is the writer's: " + run);
            }
            assertEquals(List.of(), TargetFiles.temporaryFiles(dir));
        }
        System.out.println("raced applies: " + applied + " applied, " + refused + " refused");
    }

    @Test
    void envDiffWritesItsOutputThroughALinkToTheRealFileKeepingLinkOwnerAndMode() throws Exception {
        Path realFolder = Files.createDirectory(dir.resolve("diffs"));
        Path real = Files.write(realFolder.resolve("out.dxdf"), new byte[] {1});
        Files.setAttribute(real, "unix:mode", 0640);
        if (TargetFiles.isRoot()) {
            TargetFiles.giveToNobody(real, 0640);
        }
        var owner = TargetFiles.Ownership.of(real);
        Path link = Files.createSymbolicLink(dir.resolve("out-link.dxdf"), real);

        CliRun made = CliRun.of("env", "diff", "--from", dir.resolve("from").toString(), "--to", dir.resolve("to").toString(),
                "--out", link.toString(), "--item", "vars", "--base-revision", "1", "--plain");

        assertEquals(0, made.exitCode(), made.toString());
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(Files.readAllBytes(diff), Files.readAllBytes(real), "the same diff, in the real file");
        assertEquals(owner, TargetFiles.Ownership.of(real));
        assertEquals(List.of(), TargetFiles.temporaryFiles(realFolder));
    }

    @Test
    void aNewDiffFileIsNotReadableByOthers() throws IOException {
        Path out = dir.resolve("fresh.dxdf");
        CliRun made = CliRun.of("env", "diff", "--from", dir.resolve("from").toString(), "--to", dir.resolve("to").toString(),
                "--out", out.toString(), "--item", "vars");

        assertEquals(0, made.exitCode(), made.toString());
        assertEquals(0600, TargetFiles.Ownership.of(out).mode());
    }

    private static void attacker(String shell) {
        try {
            TargetFiles.run("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", shell);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The store, with {@code writer} run right after the applier's first read (its check). */
    private static EnvironmentStore writerAfterFirstRead(EnvironmentStore store, IoAction writer) {
        return new EnvironmentStore() {
            private boolean first = true;

            @Override
            public EnvironmentSnapshot read() {
                EnvironmentSnapshot snapshot = store.read();
                if (first) {
                    first = false;
                    try {
                        writer.run();
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
                return snapshot;
            }

            @Override
            public void write(EnvironmentUpdate update) {
                store.write(update);
            }
        };
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private static int crc32c(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
