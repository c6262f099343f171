package dev.duplex.cli.env;

import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffContainerFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reading the files the env commands are given, with errors that name the file and its role.
 *
 * <p>Every read is bounded before a byte is allocated: only a regular file is read (a device
 * such as /dev/zero, a FIFO or a folder is refused, so nothing reads forever or blocks on an
 * open), exactly as many bytes as its real length, which must fit a Java array and the heap
 * this JVM has left. A diff is bounded by its header too: its first bytes are checked against
 * the file's length before the rest is read.
 */
final class OfflineFiles {
    /** The largest array a JVM allocates. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;
    /** Heap a decoded diff takes per byte of the file: the bytes, and an entry object and its data per 16. */
    private static final long DIFF_HEAP_FACTOR = 8;

    private OfflineFiles() {
    }

    /** A whole regular file. */
    static byte[] read(Path file, String role) {
        FileAt at = open(file, role);
        requireHeap(at.identity().size(), at.identity().size(), file, role);
        return readExactly(at, role);
    }

    /**
     * A whole diff file: refused by the header's rules (signature, version, claimed length
     * against the real length) before more than its header is read.
     *
     * @throws dev.duplex.engine.envsync.DiffFormatException when the header breaks a rule
     */
    static byte[] readDiff(Path file, String role) {
        FileAt at = open(file, role);
        long size = at.identity().size();
        byte[] head = new byte[(int) Math.min(size, DiffContainerFormat.HEADER_BYTES)];
        readFully(at, head, role);
        var decoder = new DiffDecoder();
        decoder.checkHead(head, size);
        // A compressed diff decodes to its declared FIG. 5 length (bounded by the format), not its file size.
        requireHeap(Math.max(size, decoder.diffLength(head, size)) * DIFF_HEAP_FACTOR, size, file, role);
        return readExactly(at, role);
    }

    /** The real file behind {@code file} and its identity, refused unless it is a regular file. */
    static FileAt open(Path file, String role) {
        Path real;
        FileIdentity identity;
        try {
            real = file.toRealPath();
            identity = FileIdentity.of(real);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("The " + role + " file " + file + " does not exist"
                    + (java.nio.file.Files.isSymbolicLink(file) ? " (it is a link to a missing file)" : ""));
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("symbolic links")) {
                throw new IllegalArgumentException("The " + role + " " + file + " cannot be opened: too many levels of "
                        + "symbolic links (a link loop?); give the file itself");
            }
            throw new UncheckedIOException("Cannot read the " + role + " file " + file + ": " + reason(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the " + role + " file " + file + ": " + e.getMessage(), e);
        }
        if (java.nio.file.Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("The " + role + " " + file + " is a folder, not a file");
        }
        if (!identity.regular()) {
            throw new IllegalArgumentException("The " + role + " " + file + " is not a regular file (a device, FIFO or "
                    + "socket" + (real.equals(file.toAbsolutePath()) ? "" : ": it leads to " + real) + "); give a file");
        }
        if (identity.size() > MAX_BYTES) {
            throw new IllegalArgumentException("The " + role + " file " + file + " is " + identity.size()
                    + " bytes; the env tools read files of at most " + MAX_BYTES + " bytes");
        }
        return new FileAt(file, real, identity);
    }

    /** A file given on the command line, the real file behind it and that file's identity when opened. */
    record FileAt(Path given, Path real, FileIdentity identity) {
    }

    /**
     * Reads exactly the file's length as it was checked, through a descriptor that does not
     * follow a link put in its place, and refuses if the file changed meanwhile.
     */
    static byte[] readExactly(FileAt at, String role) {
        byte[] bytes = new byte[(int) at.identity().size()];
        readFully(at, bytes, role);
        return bytes;
    }

    private static void readFully(FileAt at, byte[] bytes, String role) {
        try (FileChannel channel = FileChannel.open(at.real(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    break;
                }
            }
            if (buffer.hasRemaining() || !at.identity().equals(FileIdentity.of(at.real()))) {
                throw new IllegalStateException("The " + role + " file " + at.given() + " changed while it was read; "
                        + "nothing was written; try again once nothing else writes it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the " + role + " file " + at.given() + ": " + reason(e), e);
        }
    }

    /**
     * Refuses before allocating what the heap cannot hold, instead of an OutOfMemoryError.
     *
     * @param heap the bytes of heap the read and what follows it need
     * @param size the file's size, for the message
     */
    static void requireHeap(long heap, long size, Path file, String role) {
        Runtime runtime = Runtime.getRuntime();
        long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        if (heap > free) {
            throw new IllegalArgumentException("The " + role + " file " + file + " is " + size + " bytes and needs about "
                    + mib(heap) + " MiB of memory; this JVM has " + mib(free) + " MiB free: raise it with "
                    + "DUPLEX_JAVA_OPTS=-Xmx" + Math.max(1, (heap + runtime.maxMemory()) >> 30) + "g if the file is right");
        }
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    static int crc32c(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
