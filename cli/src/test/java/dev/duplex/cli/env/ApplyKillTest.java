package dev.duplex.cli.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance: {@code duplex env apply} killed with SIGKILL at 200 random points,
 * raced by a concurrent writer, leaves the target exactly the old or the new content, byte for
 * byte, with its owner and mode.
 *
 * <p>Each child JVM ({@link ApplyLoop}) runs the real command in a loop over a 2 MiB target,
 * alternating a diff and its reverse, and is killed after a random delay; so a kill lands in a
 * read, a check, a temporary file being written or fsynced, an owner being set or a rename. A
 * writer thread meanwhile rewrites the target in place with the old or the new content, so
 * applies also meet a file changing under them. After each kill the writer is paused and the
 * target checked. The children share a class-data archive made by a first, unkilled run, to
 * keep a JVM start near a quarter second.
 */
class ApplyKillTest {
    private static final int KILLS = 200;
    private static final int SIZE = 2 << 20;

    @TempDir
    Path dir;

    @Test
    void killedAtRandomPointsAndRacedByAWriterTheTargetIsAlwaysOldOrNewWithItsOwnerAndMode() throws Exception {
        Random random = new Random(Long.getLong("duplex.test.seed", System.nanoTime()));
        byte[] oldBytes = new byte[SIZE];
        random.nextBytes(oldBytes);
        byte[] newBytes = Arrays.copyOf(oldBytes, SIZE + 4096);
        for (int run = 0; run < 2000; run++) {
            int at = random.nextInt(newBytes.length - 64);
            for (int i = at; i < at + 1 + random.nextInt(48); i++) {
                newBytes[i] ^= (byte) (1 + random.nextInt(255));
            }
        }
        Path folder = Files.createDirectory(dir.resolve("standby"));
        Path target = Files.write(folder.resolve("vars.fd"), oldBytes);
        if (TargetFiles.isRoot()) {
            TargetFiles.giveToNobody(target, 0640);
        } else {
            Files.setAttribute(target, "unix:mode", 0640);
        }
        TargetFiles.Ownership owner = TargetFiles.Ownership.of(target);
        Path forward = diff(oldBytes, newBytes, "forward", 1);
        Path backward = diff(newBytes, oldBytes, "backward", 2);
        Path archive = dir.resolve("apply.jsa");
        Process warmUp = child(forward, backward, target, archive, true);
        assertTrue(warmUp.waitFor(120, TimeUnit.SECONDS), "the warm-up run ends");

        ReentrantLock writing = new ReentrantLock();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger writes = new AtomicInteger();
        Thread writer = new Thread(() -> rewriteInPlace(target, List.of(oldBytes, newBytes), writing, stop, writes, random),
                "concurrent-writer");
        writer.start();
        int leftovers = 0;
        int sawOld = 0;
        int sawNew = 0;
        List<Long> delays = new ArrayList<>();
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                Process applier = child(forward, backward, target, archive, false);
                awaitReady(applier);
                long delay = random.nextInt(250);
                delays.add(delay);
                Thread.sleep(delay);
                applier.destroyForcibly();
                assertTrue(applier.waitFor(30, TimeUnit.SECONDS), "SIGKILL ends the child");
                writing.lock();
                try {
                    byte[] now = Files.readAllBytes(target);
                    boolean isOld = Arrays.equals(now, oldBytes);
                    boolean isNew = Arrays.equals(now, newBytes);
                    assertTrue(isOld || isNew, "kill " + kill + " after " + delay + " ms: the target is neither old nor new ("
                            + now.length + " bytes, starts " + HexFormat.of().formatHex(now, 0, Math.min(16, now.length)) + ")");
                    sawOld += isOld ? 1 : 0;
                    sawNew += isNew ? 1 : 0;
                    assertEquals(owner, TargetFiles.Ownership.of(target), "kill " + kill + ": owner, group and mode");
                    assertTrue(Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS));
                    // A killed apply may leave its temporary file: 0600, or already given the
                    // target's owner and mode just before the rename; never more open than the target.
                    for (Path temp : TargetFiles.temporaryFiles(folder)) {
                        TargetFiles.Ownership left = TargetFiles.Ownership.of(temp);
                        assertTrue(left.mode() == 0600 && left.uid() == TargetFiles.runningUid() || left.equals(owner),
                                "a leftover temporary file is no more open than the target: " + temp + " " + left);
                        Files.delete(temp);
                        leftovers++;
                    }
                } finally {
                    writing.unlock();
                }
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        System.out.println("env apply killed " + KILLS + " times (delays " + delays.stream().mapToLong(d -> d).min().orElse(0)
                + "-" + delays.stream().mapToLong(d -> d).max().orElse(0) + " ms after start): old " + sawOld + ", new "
                + sawNew + ", temporary files left by kills " + leftovers + ", concurrent rewrites " + writes.get());
        assertTrue(writes.get() > KILLS, "the writer really raced the applies");
    }

    private Path diff(byte[] from, byte[] to, String name, long base) throws IOException {
        Path fromFile = Files.write(dir.resolve(name + ".from"), from);
        Path toFile = Files.write(dir.resolve(name + ".to"), to);
        Path out = dir.resolve(name + ".dxdf");
        CliRun made = CliRun.of("env", "diff", "--from", fromFile.toString(), "--to", toFile.toString(), "--out",
                out.toString(), "--item", "vars", "--base-revision", String.valueOf(base));
        assertEquals(0, made.exitCode(), made.toString());
        return out;
    }

    private Process child(Path forward, Path backward, Path target, Path archive, boolean warmUp) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xlog:disable", "-Xlog:all=off"));
        command.add(warmUp ? "-XX:ArchiveClassesAtExit=" + archive : "-XX:SharedArchiveFile=" + archive);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ApplyLoop.class.getName(),
                forward.toString(), backward.toString(), target.toString()));
        if (warmUp) {
            command.addAll(List.of("--times", "4"));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(name -> name.startsWith("DUPLEX_"));
        return builder.start();
    }

    private static void awaitReady(Process applier) throws IOException {
        var lines = new BufferedReader(new InputStreamReader(applier.getInputStream(), StandardCharsets.UTF_8));
        String line = lines.readLine();
        assertEquals("ready", line, "the child starts its loop");
    }

    /** Rewrites the target in place (same file, truncated and written) with one of the contents. */
    private static void rewriteInPlace(Path target, List<byte[]> contents, ReentrantLock writing, AtomicBoolean stop,
            AtomicInteger writes, Random random) {
        Random own = new Random(random.nextLong());
        while (!stop.get()) {
            writing.lock();
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                ByteBuffer content = ByteBuffer.wrap(contents.get(own.nextInt(contents.size())));
                channel.truncate(0);
                while (content.hasRemaining()) {
                    channel.write(content);
                }
                writes.incrementAndGet();
            } catch (IOException e) {
                // the target is between a rename and the next read; try again
            } finally {
                writing.unlock();
            }
            try {
                Thread.sleep(own.nextInt(40));
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
