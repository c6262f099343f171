package dev.duplex.persistence;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Files and folders Duplex keeps under its home that no other local user may change or read:
 * folders 0700, files 0600, created with those modes (not chmod-ed afterwards, so there is no
 * moment when they are open to others), and owner and mode checked before Duplex trusts them.
 */
final class PrivateFiles {
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private PrivateFiles() {}

    static FileAttribute<Set<PosixFilePermission>> folderMode() {
        return PosixFilePermissions.asFileAttribute(FOLDER);
    }

    static FileAttribute<Set<PosixFilePermission>> fileMode() {
        return PosixFilePermissions.asFileAttribute(FILE);
    }

    /**
     * Creates {@code folder} (and missing parents) as 0700, or makes an existing one 0700 when this
     * user owns it; refuses one owned by another user.
     */
    static Path folder(Path folder) throws IOException {
        Files.createDirectories(folder, folderMode());
        PosixFileAttributes attributes = attributes(folder);
        if (!attributes.isDirectory()) {
            throw new DatabaseException(folder + " is not a folder (" + describe(folder, attributes) + "); move it away and retry", null);
        }
        requireOwnedByUs(folder, attributes);
        if (!attributes.permissions().equals(FOLDER)) {
            Files.setPosixFilePermissions(folder, FOLDER);
        }
        return folder;
    }

    /**
     * The Duplex home, created 0700 when missing, as its real path. An existing home must be this
     * user's and writable by no one else: every folder Duplex trusts is under it.
     */
    static Path folderOfHome(Path home) throws IOException {
        Files.createDirectories(home, folderMode());
        Path real = home.toRealPath();
        PosixFileAttributes attributes = attributes(real);
        boolean othersWrite = attributes.permissions().stream().anyMatch(WRITABLE_BY_OTHERS::contains);
        if (!attributes.owner().equals(currentUser(real)) || othersWrite) {
            throw new DatabaseException("The Duplex home " + real + " is " + describe(real, attributes) + "; another user could "
                    + "replace what Duplex runs from it: make it " + currentUser(real).getName() + "'s and not writable by others "
                    + "(chown " + currentUser(real).getName() + " " + real + "; chmod 700 " + real + ")", null);
        }
        return real;
    }

    /** Makes an existing file of ours 0600 (an older Duplex created some world-readable); refuses another user's. */
    static void restrict(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        PosixFileAttributes attributes = attributes(file);
        if (!attributes.isRegularFile()) {
            throw new DatabaseException(file + " is not a regular file (" + describe(file, attributes) + "); delete it and retry", null);
        }
        requireOwnedByUs(file, attributes);
        if (!attributes.permissions().equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    /** Writes {@code content} to {@code file} as 0600, atomically (a temporary sibling renamed over it). */
    static void write(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try (SeekableByteChannel channel = Files.newByteChannel(temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileMode())) {
            channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Creates an empty 0600 file unless it exists; an existing one is restricted to 0600. */
    static void touch(Path file) throws IOException {
        try {
            Files.createFile(file, fileMode());
        } catch (FileAlreadyExistsException e) {
            restrict(file);
        }
    }

    /**
     * Refuses to run {@code binary} unless it and every folder from {@code home} down to it are
     * owned by this user and writable by no one else: otherwise another local user could put a
     * program of theirs where Duplex, often running as root, would run it.
     */
    static void requireTrusted(Path home, Path binary) throws IOException {
        Path relative = home.relativize(binary);
        Path current = home;
        requireTrustedEntry(current, binary);
        for (Path name : relative) {
            current = current.resolve(name);
            requireTrustedEntry(current, binary);
        }
        if (!Files.isRegularFile(binary, LinkOption.NOFOLLOW_LINKS)) {
            throw new DatabaseException("Refusing to run " + binary + ": it is not a regular file; delete "
                    + binary.getParent() + " and retry", null);
        }
    }

    /** Every file and folder under {@code root} is ours and writable by no one else (links: ours, not followed). */
    static void requireTrustedTree(Path root, Path binaryForMessages) throws IOException {
        List<IOException> failures = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                requireTrustedEntry(dir, binaryForMessages);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                requireTrustedEntry(file, binaryForMessages);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                failures.add(e);
                return java.nio.file.FileVisitResult.TERMINATE;
            }
        });
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private static void requireTrustedEntry(Path path, Path binary) throws IOException {
        PosixFileAttributes attributes = attributes(path);
        boolean ours = attributes.owner().equals(currentUser(path));
        boolean othersWrite = !attributes.isSymbolicLink()
                && attributes.permissions().stream().anyMatch(WRITABLE_BY_OTHERS::contains);
        if (!ours || othersWrite) {
            throw new DatabaseException("Refusing to run " + binary + ": " + path + " is " + describe(path, attributes)
                    + ", so another user could have replaced what Duplex would run as " + currentUser(path).getName()
                    + "; make it yours and not writable by others (chown " + currentUser(path).getName() + " " + path
                    + "; chmod go-w " + path + ") after checking it, or delete " + path + " if it is under db/bin", null);
        }
    }

    static PosixFileAttributes attributes(Path path) throws IOException {
        return Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
    }

    /** {@code owned by nobody (uid 65534), mode rwxr-x---}, for messages. */
    static String describe(Path path, PosixFileAttributes attributes) throws IOException {
        Object uid = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return "owned by " + attributes.owner().getName() + " (uid " + uid + "), mode "
                + PosixFilePermissions.toString(attributes.permissions());
    }

    private static void requireOwnedByUs(Path path, PosixFileAttributes attributes) throws IOException {
        if (!attributes.owner().equals(currentUser(path))) {
            throw new DatabaseException(path + " is " + describe(path, attributes) + ", not " + currentUser(path).getName()
                    + "'s who runs Duplex; check who made it, then chown it or use another DUPLEX_HOME", null);
        }
    }

    /** The user this process runs as (the owner of what it creates). */
    static java.nio.file.attribute.UserPrincipal currentUser(Path anywhere) throws IOException {
        // /proc/self is owned by the process's effective user; no user.name, which -Duser.name spoofs
        return Files.getOwner(Path.of("/proc/self"));
    }

    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Deletes {@code folder} and everything in it without following a link, even if another user
     * could write in it and swaps a folder for a link meanwhile: each folder is opened relative to
     * its parent's descriptor ({@link SecureDirectoryStream}), never by path.
     */
    static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(folder);
            return;
        }
        try (DirectoryStream<Path> parent = Files.newDirectoryStream(folder.getParent())) {
            if (!(parent instanceof SecureDirectoryStream<Path> secureParent)) {
                throw new IOException("this platform cannot delete " + folder + " safely; delete it by hand");
            }
            deleteEntry(secureParent, folder.getFileName());
        }
    }

    private static void deleteEntry(SecureDirectoryStream<Path> parent, Path name) throws IOException {
        BasicFileAttributes attributes = parent.getFileAttributeView(name, java.nio.file.attribute.BasicFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).readAttributes();
        if (attributes.isDirectory()) {
            try (SecureDirectoryStream<Path> child = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                List<Path> names = new ArrayList<>();
                child.forEach(p -> names.add(p.getFileName()));
                for (Path entry : names) {
                    deleteEntry(child, entry);
                }
            }
            parent.deleteDirectory(name);
        } else {
            parent.deleteFile(name);
        }
    }
}
