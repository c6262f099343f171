package dev.duplex.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * An exclusive lock on {@code <home>/db/owner.lock}, held briefly while a process decides to start,
 * join or stop the embedded PostgreSQL, so that two processes never start it on one data folder.
 */
final class FolderLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static FolderLock acquire(Path file, Duration timeout) throws IOException {
        PrivateFiles.restrict(file); // an older Duplex made it 0644
        return locked(file, FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PrivateFiles.fileMode()), timeout);
    }

    /**
     * The lock of a lock file that exists, without creating it: empty when the file is gone (its
     * folder deleted, or being deleted), so that a watcher does not put a file back into a folder
     * that someone is removing.
     */
    static java.util.Optional<FolderLock> acquireExisting(Path file, Duration timeout) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(locked(file, channel, timeout));
    }

    private static FolderLock locked(Path file, FileChannel channel, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                try {
                    FileLock lock = channel.tryLock();
                    if (lock != null) {
                        return new FolderLock(channel, lock);
                    }
                } catch (OverlappingFileLockException e) {
                    // another thread of this process holds it: wait as for another process
                }
                if (System.nanoTime() > deadline) {
                    throw new DatabaseException("Another Duplex process has held " + file + " for more than "
                            + timeout.toSeconds() + " s while starting or stopping the embedded database; try again", null);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new DatabaseException("Interrupted while waiting for " + file, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Asserts the lock is still held (the OS drops it if the file's descriptor was closed elsewhere). */
    void held() {
        if (!lock.isValid()) {
            throw new IllegalStateException("lost the lock on the embedded database folder");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
