package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small XFS file system with reflinks on a loop device, for the tests of the local driver's
 * snapshots (this machine's /tmp is ext4, which clones nothing). Needs root and {@code mkfs.xfs}
 * ({@code .ci/local/install-packages.sh}); without them the test is skipped, except in CI
 * ({@code CI=true}), where a skipped snapshot tier is a failure.
 */
final class ReflinkFileSystem implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;

    private ReflinkFileSystem(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** Makes and mounts a 320 MiB (sparse) XFS under {@code folder}, or skips the calling test. */
    static ReflinkFileSystem mountUnder(Path folder) throws IOException {
        return mountUnder(folder, 320L << 20);
    }

    /** Makes and mounts an XFS of {@code sizeBytes} (a sparse image file) under {@code folder}, or skips the calling test. */
    static ReflinkFileSystem mountUnder(Path folder, long sizeBytes) throws IOException {
        Path image = folder.resolve("xfs.img");
        Path mountPoint = folder.resolve("xfs");
        Files.createDirectories(mountPoint);
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        require(uid == 0, "mounting a loop file system needs root");
        require(Files.isExecutable(Path.of("/usr/sbin/mkfs.xfs")) || Files.isExecutable(Path.of("/sbin/mkfs.xfs")),
                "mkfs.xfs is missing (apt-get install xfsprogs, or .ci/local/install-packages.sh)");
        try (var file = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            file.truncate(0);
            file.position(sizeBytes - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        require(run(List.of("mkfs.xfs", "-q", "-f", "-m", "reflink=1", image.toString())), "mkfs.xfs failed on " + image);
        require(run(List.of("mount", "-o", "loop", image.toString(), mountPoint.toString())),
                "cannot mount " + image + " on a loop device here");
        return new ReflinkFileSystem(image, mountPoint);
    }

    Path root() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException {
        run(List.of("umount", mountPoint.toString()));
        Files.deleteIfExists(image);
    }

    private static void require(boolean condition, String message) {
        if (condition) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and the local driver's snapshot tests would be skipped: " + message);
        }
        assumeTrue(false, message);
    }

    private static boolean run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
