package dev.duplex.cli.env;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Replaces a file's content all at once: the bytes go to a temporary file beside it, which is
 * fsynced and renamed over the file (an atomic rename on POSIX file systems), then the folder is
 * fsynced. A reader sees the old content or the new, never a mix; a crash leaves the old.
 */
final class AtomicFile {
    private AtomicFile() {
    }

    static void write(Path file, byte[] content) {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp");
            copyPermissions(target, temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + folder + " cannot rename atomically; refusing a "
                        + "non-atomic write", e);
            }
            temp = null;
            syncFolder(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the temporary file is named after the target and starts with '.', easy to find
                }
            }
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        if (Files.exists(from)) {
            try {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(from);
                Files.setPosixFilePermissions(to, permissions);
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the defaults
            }
        }
    }

    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some platforms cannot open a folder for fsync; the rename itself is already atomic
        }
    }
}
