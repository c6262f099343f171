package dev.duplex.cli.env;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Replaces a file's content all at once. The bytes go to a temporary file created 0600 in the
 * real file's own folder (a link is followed first, so the link stays a link and the rename is
 * atomic where the file lives); the temporary file is given the old file's owner, group and
 * mode, fsynced, and renamed over the file; then the folder is fsynced. A reader sees the old
 * content or the new, never a mix; a crash leaves the old (and at worst a temporary file no
 * more readable than the old one).
 *
 * <p>When the caller checked the old content, it passes that file's {@link FileIdentity}: the
 * file is compared with it again just before the rename, and if another process wrote,
 * renamed or linked anything over it meanwhile nothing is written ({@link TargetChangedException}).
 */
final class AtomicFile {
    private AtomicFile() {
    }

    /** Writes the new content into the (empty) temporary file. */
    @FunctionalInterface
    interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Writes {@code content} to {@code file}, a new file or an existing regular one (whose owner,
     * group and mode are kept), without checking what it held.
     */
    static void write(Path file, byte[] content) {
        Path real;
        Optional<FileIdentity> existing;
        try {
            real = file.toRealPath();
            existing = Optional.of(FileIdentity.of(real));
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(file)) {
                throw new IllegalArgumentException("Cannot write " + file + ": it is a link to a missing file; remove "
                        + "the link or give the file itself");
            }
            real = file.toAbsolutePath();
            existing = Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + reason(e), e);
        }
        if (existing.isPresent() && !existing.get().regular()) {
            throw new IllegalArgumentException("Cannot write " + file + ": it is not a regular file; give a file path");
        }
        replace(file, real, existing, Optional.empty(), channel -> writeFully(channel, ByteBuffer.wrap(content), 0));
    }

    /**
     * Replaces the real file {@code real}, which must still be the file {@code checked} describes,
     * with what {@code content} writes; keeps its owner, group and mode.
     *
     * @param given the path the user gave, for messages
     */
    static void replaceChecked(Path given, Path real, FileIdentity checked, Content content) {
        replace(given, real, Optional.of(checked), Optional.of(checked), content);
    }

    private static void replace(Path given, Path real, Optional<FileIdentity> keep, Optional<FileIdentity> expected,
            Content content) {
        Path folder = real.getParent();
        Path temp = null;
        try {
            // 0600 whatever the umask: nobody else can open it while it fills
            temp = Files.createTempFile(folder, "." + real.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                if (keep.isPresent()) {
                    keepOwnerAndMode(given, temp, keep.get());
                }
                channel.force(true);
            }
            if (expected.isPresent()) {
                requireUnchanged(real, expected.get());
            }
            try {
                Files.move(temp, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + folder + " cannot rename atomically; refusing a "
                        + "non-atomic write", e);
            }
            temp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + given + ": " + reason(e) + "; " + given + " is unchanged", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the temporary file is named after the target and starts with '.', easy to find
                }
            }
        }
        try {
            syncFolder(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("Wrote " + given + " but could not fsync its folder " + folder + " ("
                    + reason(e) + "); the new content may not survive a crash: check the file system", e);
        }
    }

    /** Owner and group first: a chown may clear set-id bits, which the chmod then restores. */
    private static void keepOwnerAndMode(Path given, Path temp, FileIdentity old) throws IOException {
        FileIdentity now = FileIdentity.of(temp);
        try {
            if (now.uid() != old.uid()) {
                Files.setAttribute(temp, "unix:uid", old.uid());
            }
            if (now.gid() != old.gid()) {
                Files.setAttribute(temp, "unix:gid", old.gid());
            }
        } catch (FileSystemException e) {
            throw new IllegalStateException("Cannot keep the owner " + old.uid() + ":" + old.gid() + " of " + given + " ("
                    + reason(e) + "); run as root or as its owner; nothing was written", e);
        }
        Files.setAttribute(temp, "unix:mode", old.mode());
    }

    private static void requireUnchanged(Path real, FileIdentity checked) throws IOException {
        FileIdentity now;
        try {
            now = FileIdentity.of(real);
        } catch (NoSuchFileException e) {
            throw new TargetChangedException(real + " was removed");
        }
        if (!now.equals(checked)) {
            throw new TargetChangedException(real + " is not the file that was checked: " + difference(checked, now));
        }
    }

    private static String difference(FileIdentity was, FileIdentity now) {
        if (now.device() != was.device() || now.inode() != was.inode()) {
            return "another file was put in its place";
        }
        if (now.size() != was.size() || !now.modified().equals(was.modified())) {
            return "it was written";
        }
        return "its owner, mode, links or status changed";
    }

    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** Makes the rename durable: the folder's entry now names the new file. */
    private static void syncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getFile() + ": " + fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
