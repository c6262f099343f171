package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A folder for a libvirt directory pool on an XFS with reflinks, on a loop device: where the kvm
 * driver's snapshots (reflink clones) work. This machine's /tmp is ext4, which clones nothing. Needs
 * root and {@code mkfs.xfs} ({@code .ci/kvm/install-packages.sh}); without them the calling test is
 * skipped, except in CI ({@code CI=true}), where that is a failure. The pool folder belongs to
 * nobody, the session libvirtd's user.
 */
final class XfsPool implements AutoCloseable {
    private final Path folder;
    private final Path mountPoint;

    private XfsPool(Path folder, Path mountPoint) {
        this.folder = folder;
        this.mountPoint = mountPoint;
    }

    /** Makes and mounts an XFS of {@code sizeBytes} (sparse) in a new folder under /tmp. */
    static XfsPool create(long sizeBytes) throws IOException {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        require(uid == 0, "mounting a loop file system needs root");
        require(Files.isExecutable(Path.of("/usr/sbin/mkfs.xfs")) || Files.isExecutable(Path.of("/sbin/mkfs.xfs")),
                "mkfs.xfs is missing (apt-get install xfsprogs)");
        // Short and reachable by nobody: QEMU (run as nobody) opens the volumes in it.
        Path folder = Files.createTempDirectory(Path.of("/tmp"), "dxsn.");
        Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path image = folder.resolve("xfs.img");
        Path mountPoint = folder.resolve("m");
        Files.createDirectories(mountPoint);
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.position(sizeBytes - 1).write(ByteBuffer.wrap(new byte[1]));
        }
        require(run(List.of("mkfs.xfs", "-q", "-f", "-m", "reflink=1", image.toString())), "mkfs.xfs failed on " + image);
        require(run(List.of("mount", "-o", "loop", image.toString(), mountPoint.toString())), "cannot mount " + image + " on a loop device");
        Files.setPosixFilePermissions(mountPoint, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path pool = mountPoint.resolve("pool");
        Files.createDirectories(pool);
        require(run(List.of("chown", "nobody:nogroup", pool.toString())), "cannot give " + pool + " to nobody");
        return new XfsPool(folder, mountPoint);
    }

    /** The pool's folder, owned by nobody. */
    Path poolPath() {
        return mountPoint.resolve("pool");
    }

    @Override
    public void close() throws IOException {
        run(List.of("umount", "-l", mountPoint.toString()));
        Files.deleteIfExists(folder.resolve("xfs.img"));
        Files.deleteIfExists(mountPoint);
        Files.deleteIfExists(folder);
    }

    private static void require(boolean condition, String message) {
        if (condition) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and the kvm snapshot tests would be skipped: " + message);
        }
        assumeTrue(false, message);
    }

    static boolean run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(300, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
