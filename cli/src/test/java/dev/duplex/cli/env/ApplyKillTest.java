package dev.duplex.cli.env;

import dev.duplex.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance: {@code duplex env apply} killed with SIGKILL at 200 random points,
 * raced by a concurrent writer, leaves the target exactly the old or the new content, byte for
 * byte, with its owner and mode.
 *
 * <p>Each child JVM ({@link ApplyLoop}) runs the real command in a loop over a 2 MiB target,
 * alternating a diff and its reverse, and once its first apply is done it is killed after a
 * random delay of up to two warm applies' time; so a kill lands in a read, a check, a temporary
 * file being written or fsynced, an owner being set, a rename. A writer thread meanwhile
 * rewrites the target in place with the old or the new content, so applies also meet a file
 * changing under them. After each kill the writer is paused and the target checked. Two lanes
 * (own folder, target, writer) run side by side, and the children share a class-data archive
 * made by a first, unkilled run, to keep the 200 JVM starts within a couple of minutes.
 */
class ApplyKillTest {
    private static final int KILLS = 200;
    private static final int LANES = 2;
    private static final int SIZE = 2 << 20;

    @TempDir
    Path dir;

    private byte[] oldBytes;
    private byte[] newBytes;
    private Path forward;
    private Path backward;
    private List<String> java;
    private long warmApplyMillis;

    @Test
    void killedAtRandomPointsAndRacedByAWriterTheTargetIsAlwaysOldOrNewWithItsOwnerAndMode() throws Exception {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random random = new Random(seed);
        oldBytes = new byte[SIZE];
        random.nextBytes(oldBytes);
        newBytes = Arrays.copyOf(oldBytes, SIZE + 4096);
        for (int run = 0; run < 2000; run++) {
            int at = random.nextInt(newBytes.length - 64);
            for (int i = at; i < at + 1 + random.nextInt(48); i++) {
                newBytes[i] ^= (byte) (1 + random.nextInt(255));
            }
        }
        forward = diff(oldBytes, newBytes, "forward", 1);
        backward = diff(newBytes, oldBytes, "backward", 2);
        java = javaWithClassDataArchive();

        ExecutorService lanes = Executors.newFixedThreadPool(LANES);
        List<Future<String>> results = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            int number = lane;
            long laneSeed = random.nextLong();
            results.add(lanes.submit(() -> lane(number, KILLS / LANES, new Random(laneSeed))));
        }
        lanes.shutdown();
        List<String> reports = new ArrayList<>();
        for (Future<String> result : results) {
            reports.add(result.get(10, TimeUnit.MINUTES));
        }
        System.out.println("env apply killed " + KILLS + " times (seed " + seed + "): " + String.join("; ", reports));
    }

    /** One lane: its own folder, target and writer; {@code kills} children killed at random. */
    private String lane(int number, int kills, Random random) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("standby-" + number));
        Path target = Files.write(folder.resolve("vars.fd"), oldBytes);
        if (TargetFiles.isRoot()) {
            TargetFiles.giveToNobody(target, 0640);
        } else {
            Files.setAttribute(target, "unix:mode", 0640);
        }
        TargetFiles.Ownership owner = TargetFiles.Ownership.of(target);
        ReentrantLock writing = new ReentrantLock();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger writes = new AtomicInteger();
        long writerSeed = random.nextLong();
        Thread writer = new Thread(() -> rewriteInPlace(target, writing, stop, writes, new Random(writerSeed)),
                "concurrent-writer-" + number);
        writer.start();
        int leftovers = 0;
        int sawOld = 0;
        int sawNew = 0;
        try {
            for (int kill = 0; kill < kills; kill++) {
                Process applier = child(target);
                awaitFirstApply(applier);
                long delay = random.nextInt((int) Math.max(50, 2 * warmApplyMillis));
                Thread.sleep(delay);
                applier.destroyForcibly(); // SIGKILL
                assertTrue(applier.waitFor(30, TimeUnit.SECONDS), "SIGKILL ends the child");
                writing.lock();
                try {
                    byte[] now = Files.readAllBytes(target);
                    boolean isOld = Arrays.equals(now, oldBytes);
                    boolean isNew = Arrays.equals(now, newBytes);
                    assertTrue(isOld || isNew, "lane " + number + ", kill " + kill + " after " + delay + " ms: the target "
                            + "is neither old nor new (" + now.length + " bytes, starts "
                            + HexFormat.of().formatHex(now, 0, Math.min(16, now.length)) + ")");
                    sawOld += isOld ? 1 : 0;
                    sawNew += isNew ? 1 : 0;
                    assertEquals(owner, TargetFiles.Ownership.of(target), "kill " + kill + ": owner, group and mode");
                    assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS));
                    // A killed apply may leave its temporary file: 0600 and ours, its owner and then its group
                    // already the target's (one call each, the mode last), or already the target's owner and
                    // mode just before the rename; never more open than that.
                    for (Path temp : TargetFiles.temporaryFiles(folder)) {
                        TargetFiles.Ownership left = TargetFiles.Ownership.of(temp);
                        boolean privateOnTheWay = left.mode() == 0600
                                && (left.uid() == TargetFiles.runningUid() || left.uid() == owner.uid())
                                && (left.gid() == TargetFiles.runningGid() || left.gid() == owner.gid());
                        assertTrue(privateOnTheWay || left.equals(owner),
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
        assertTrue(writes.get() > kills, "the writer really raced the applies: " + writes.get() + " rewrites");
        return "lane " + number + ": " + kills + " kills, old " + sawOld + ", new " + sawNew
                + ", killed mid-write (temporary file left) " + leftovers + ", concurrent rewrites " + writes.get();
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

    private Process child(Path target, String... extra) throws IOException {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of(ApplyLoop.class.getName(), forward.toString(), backward.toString(), target.toString()));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        // The developer's own DUPLEX_* settings are no business of an offline tool's test.
        builder.environment().keySet().removeIf(name -> name.startsWith("DUPLEX_"));
        return builder.start();
    }

    /** Waits for the child's first apply (the one that loads the classes) to end. */
    private static void awaitFirstApply(Process applier) throws IOException {
        var lines = new BufferedReader(new InputStreamReader(applier.getInputStream(), StandardCharsets.UTF_8));
        String line = lines.readLine();
        assertTrue(line != null && line.startsWith("applied in "), "the child's first apply ends: " + line);
    }

    /**
     * The java command for the children: one jar of this build's class folders (a class-data
     * archive takes jars only) plus the dependency jars, and an archive dumped by a first run
     * that is not killed. Without the archive (a JVM that cannot make one) the children still run.
     */
    private List<String> javaWithClassDataArchive() throws Exception {
        List<String> classPath = new ArrayList<>();
        Path classes = dir.resolve("duplex-under-test.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(classes))) {
            var seen = new java.util.HashSet<String>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path path = Path.of(entry);
                if (Files.isDirectory(path)) {
                    addFolder(jar, path, seen);
                } else if (Files.isRegularFile(path)) {
                    classPath.add(entry);
                }
            }
        }
        classPath.add(0, classes.toString());
        Path archive = dir.resolve("apply.jsa");
        List<String> base = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=off",
                "-cp", String.join(File.pathSeparator, classPath));
        java = new ArrayList<>(base);
        java.add(1, "-XX:ArchiveClassesAtExit=" + archive);
        Path warmTarget = Files.write(dir.resolve("warm-up.fd"), oldBytes);
        Process warmUp = child(warmTarget, "--times", "4");
        List<String> durations = new BufferedReader(new InputStreamReader(warmUp.getInputStream(), StandardCharsets.UTF_8))
                .lines().toList();
        assertTrue(warmUp.waitFor(3, TimeUnit.MINUTES), "the warm-up run ends");
        assertEquals(4, durations.size(), "the warm-up applies 4 times: " + durations);
        // a warm apply's duration: the random kill delays span about two of them
        warmApplyMillis = Long.parseLong(durations.get(3).replaceAll("[^0-9]", ""));
        List<String> command = new ArrayList<>(base);
        if (Files.isRegularFile(archive)) {
            command.add(1, "-XX:SharedArchiveFile=" + archive);
        }
        return command;
    }

    private static void addFolder(JarOutputStream jar, Path folder, java.util.Set<String> seen) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = folder.relativize(file).toString().replace(File.separatorChar, '/');
                if (seen.add(name)) {
                    jar.putNextEntry(new ZipEntry(name));
                    Files.copy(file, jar);
                    jar.closeEntry();
                }
            }
        }
    }

    /** Rewrites the target in place (same file, truncated and written) with the old or the new content. */
    private void rewriteInPlace(Path target, ReentrantLock writing, AtomicBoolean stop, AtomicInteger writes, Random random) {
        while (!stop.get()) {
            writing.lock();
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                ByteBuffer content = ByteBuffer.wrap(random.nextBoolean() ? oldBytes : newBytes);
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
                Thread.sleep(random.nextInt(300));
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
