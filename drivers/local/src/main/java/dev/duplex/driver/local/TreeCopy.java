package dev.duplex.driver.local;

import dev.duplex.api.CopyProgress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies a folder tree byte for byte with {@link FileChannel#transferTo}, reporting progress per
 * chunk. Symbolic links are copied as links, never followed, so a copy cannot escape the tree.
 * Nor does it follow a link on the target's side: a link already in the target where the source
 * has a folder or a file is replaced, never written through (a VM's root could hold a link from
 * an older image, a volume one its VM made). Where links in an image may point is checked at
 * registration ({@link ImageLinks}).
 */
final class TreeCopy {
    /** Chunk size between progress reports; large enough that reporting costs nothing. */
    private static final long CHUNK = 8L << 20;

    private TreeCopy() {}

    /** The bytes of all regular files under {@code root}, not following links. */
    static long size(Path root) throws IOException {
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total.addAndGet(attrs.size());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    /**
     * Copies the content of {@code source} into {@code target} (created if absent; existing files
     * of the same name are replaced).
     *
     * @return the number of file bytes copied
     */
    static long copy(Path source, Path target, CopyProgress progress) throws IOException {
        if (Files.isSymbolicLink(source)) {
            throw new FileSystemException(source.toString(), null, "is a symbolic link; a copy starts at a real folder");
        }
        long total = size(source);
        AtomicLong copied = new AtomicLong();
        progress.update(0, total);
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(dir).toString());
                if (dir.equals(source)) {
                    Files.createDirectories(to.getParent());
                }
                realFolder(to);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    TreeDeletion.delete(to);
                    Files.createSymbolicLink(to, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile()) {
                    copyFile(file, to, copied, total, progress);
                }
                // Sockets, fifos and devices are not content; they are skipped.
                return FileVisitResult.CONTINUE;
            }
        });
        return copied.get();
    }

    /** Makes {@code folder} a real folder: one already there stays, a link or a file in its place goes. */
    private static void realFolder(Path folder) throws IOException {
        if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            TreeDeletion.delete(folder); // a link is deleted as a link; what it points at stays
        }
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(folder);
        }
    }

    private static void copyFile(Path from, Path to, AtomicLong copied, long total, CopyProgress progress)
            throws IOException {
        if (Files.isSymbolicLink(to) || Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            TreeDeletion.delete(to);
        }
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(to, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                long sent = in.transferTo(position, Math.min(CHUNK, size - position), out);
                if (sent <= 0) {
                    break; // the file shrank while we copied it
                }
                position += sent;
                progress.update(copied.addAndGet(sent), total);
            }
        }
        Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(Files.getPosixFilePermissions(from, LinkOption.NOFOLLOW_LINKS));
    }
}
