package org.example.duplex.process;

import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The driver's whole platform state: one properties file per image, volume and VM, in folders
 * only the owner can read (Duplex runs as root on shared hosts). Records are replaced atomically.
 */
final class StateFolder {
    private final Path root;

    StateFolder(Path root) {
        this.root = root;
        for (String kind : List.of("images", "volumes", "vms")) {
            privateFolder(root.resolve(kind));
        }
    }

    static String newId() {
        return UUID.randomUUID().toString().substring(0, 13);
    }

    Path folder(String kind) {
        return root.resolve(kind);
    }

    /** The record {@code id} of {@code kind}; not found when absent (or when the id is not one of ours). */
    Properties read(String kind, String id, ObjectId object) {
        if (!id.matches("[0-9a-f-]{13}")) {
            throw new ObjectNotFoundException(object);
        }
        Path file = root.resolve(kind).resolve(id + ".properties");
        if (!Files.isRegularFile(file)) {
            throw new ObjectNotFoundException(object);
        }
        Properties record = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            record.load(in);
        } catch (IOException e) {
            throw new PlatformException("cannot read " + file + ": " + e.getMessage(), object, e);
        }
        return record;
    }

    void write(String kind, String id, Properties record) {
        Path file = root.resolve(kind).resolve(id + ".properties");
        Path temporary = root.resolve(kind).resolve("." + id + ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                record.store(out, null);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    void delete(String kind, String id) {
        try {
            Files.deleteIfExists(root.resolve(kind).resolve(id + ".properties"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ids of every record of {@code kind}. */
    List<String> ids(String kind) {
        try (Stream<Path> files = Files.list(root.resolve(kind))) {
            List<String> ids = new ArrayList<>();
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".properties") && !n.startsWith("."))
                    .forEach(n -> ids.add(n.substring(0, n.length() - ".properties".length())));
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path privateFolder(Path folder) {
        try {
            Files.createDirectories(folder);
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder, e);
        }
    }

    static void deleteTree(Path folder) {
        if (!Files.exists(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            // Links are deleted, never followed: a VM's root holds links to its volumes.
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + folder, e);
        }
    }
}
