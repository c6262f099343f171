package dev.duplex.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * One Duplex process's claim to use the embedded PostgreSQL: a file under {@code <home>/db/leases}
 * that the process keeps locked while it uses the server. The operating system drops the lock
 * when the process ends, even by {@code kill -9}, so a lease cannot outlive its holder.
 */
final class Lease implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private Lease(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static Lease take(Path folder) throws IOException {
        PrivateFiles.folder(folder);
        Path file = folder.resolve(ProcessHandle.current().pid() + "-" + UUID.randomUUID() + ".lease");
        FileChannel channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PrivateFiles.fileMode());
        try {
            return new Lease(file, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * How many leases are held now, by this or other processes; deletes the leases of dead processes.
     *
     * <p>This process's own lease files are counted without probing them: POSIX drops all of a
     * process's locks on a file when the process closes any descriptor of it, so probing our
     * own lease with a second channel would silently release it.
     */
    static int holders(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        int held = 0;
        String ours = ProcessHandle.current().pid() + "-";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.lease")) {
            for (Path file : files) {
                if (file.getFileName().toString().startsWith(ours) || isHeld(file)) {
                    held++;
                } else {
                    Files.deleteIfExists(file);
                }
            }
        }
        return held;
    }

    /** The processes holding a lease now, for messages; this process's own leases are not probed (see {@link #holders}). */
    static java.util.List<Long> holderPids(Path folder) throws IOException {
        java.util.List<Long> pids = new java.util.ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return pids;
        }
        String ours = ProcessHandle.current().pid() + "-";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.lease")) {
            for (Path file : files) {
                if (file.getFileName().toString().startsWith(ours) || isHeld(file)) {
                    String name = file.getFileName().toString();
                    try {
                        pids.add(Long.parseLong(name.substring(0, name.indexOf('-'))));
                    } catch (RuntimeException e) {
                        pids.add(-1L);
                    }
                }
            }
        }
        return pids;
    }

    private static boolean isHeld(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
            Files.deleteIfExists(file);
        }
    }
}
