package dev.duplex.driver.local;

import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A volume's snapshot: {@code volumes/<id>/snapshots/<name>/data/}, a reflink clone of the volume's
 * {@code data/} (copy-on-write, so its cost is the number of files, not their bytes), and
 * {@code snapshot.properties} (name, time). The snapshots live in the volume's own folder: on the
 * same file system (a clone cannot cross one) and deleted with the volume, never orphaned. The
 * {@code snapshots/} folder is owner-only: a snapshot holds a database.
 */
final class SnapshotFolder {
    private static final String METADATA = "snapshot.properties";
    private static final String SNAPSHOTS = "snapshots";

    private final Path folder;

    private SnapshotFolder(Path folder) {
        this.folder = folder;
    }

    /** The snapshot named {@code name} of {@code volume}; {@code name} must already be a checked object name. */
    static SnapshotFolder of(VolumeFolder volume, String name) {
        return new SnapshotFolder(volume.folder().resolve(SNAPSHOTS).resolve(name));
    }

    boolean exists() {
        return Files.isRegularFile(folder.resolve(METADATA), LinkOption.NOFOLLOW_LINKS)
                && Files.isDirectory(folder.resolve("data"), LinkOption.NOFOLLOW_LINKS);
    }

    Path data() {
        return folder.resolve("data");
    }

    VolumeSnapshot read(VolumeRef volume) throws IOException {
        Map<String, String> metadata = PropertiesFile.read(folder.resolve(METADATA));
        String name = metadata.get("name");
        return new VolumeSnapshot(idOf(volume, name), volume, name, Instant.parse(metadata.get("createdAt")));
    }

    /** The id a snapshot of the local driver has: volume id and name, which is how it is found. */
    static String idOf(VolumeRef volume, String name) {
        return volume.id() + "@" + name;
    }

    /** Clones the volume's content into a new snapshot: staged beside it, published by one rename. */
    static SnapshotFolder take(VolumeFolder volume, String name, Instant now) throws IOException {
        Path shelf = volume.folder().resolve(SNAPSHOTS);
        StateFolder.refuseLink(shelf);
        if (!Files.isDirectory(shelf, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(shelf, OwnFile.PRIVATE_FOLDER);
        }
        Path staging = shelf.resolve(".incoming-" + name + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Files.createDirectory(staging, OwnFile.PRIVATE_FOLDER);
            Reflink.cloneTree(volume.data(), staging.resolve("data"));
            PropertiesFile.write(staging.resolve(METADATA), Map.of("name", name, "createdAt", now.toString()));
            CopyWriteBack.flushFolder(staging);
            Path target = shelf.resolve(name);
            Files.move(staging, target);
            CopyWriteBack.flushFolder(shelf);
            return new SnapshotFolder(target);
        } finally {
            TreeDeletion.delete(staging);
        }
    }

    /** The volume's snapshots, oldest first; staging leftovers of a crash are not snapshots. */
    static List<SnapshotFolder> list(VolumeFolder volume) throws IOException {
        Path shelf = volume.folder().resolve(SNAPSHOTS);
        if (!Files.isDirectory(shelf, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<SnapshotFolder> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(shelf)) {
            entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(SnapshotFolder::new)
                    .filter(SnapshotFolder::exists)
                    .forEach(found::add);
        }
        List<SnapshotFolder> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparing(SnapshotFolder::createdAtOrEpoch).thenComparing(s -> s.folder.getFileName().toString()));
        return sorted;
    }

    private Instant createdAtOrEpoch() {
        try {
            return Instant.parse(PropertiesFile.read(folder.resolve(METADATA)).get("createdAt"));
        } catch (IOException | RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** Drops the staging folders a crash left in the volume's snapshots folder. */
    static void dropLeftovers(VolumeFolder volume) throws IOException {
        Path shelf = volume.folder().resolve(SNAPSHOTS);
        if (!Files.isDirectory(shelf, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> entries = Files.list(shelf)) {
            for (Path leftover : entries.filter(p -> p.getFileName().toString().startsWith(".incoming-")).toList()) {
                TreeDeletion.delete(leftover);
            }
        }
    }

    void delete() throws IOException {
        // The metadata goes first: a half-deleted snapshot is no longer listed.
        Files.deleteIfExists(folder.resolve(METADATA));
        TreeDeletion.delete(folder);
    }
}
