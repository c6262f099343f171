package dev.duplex.driver.local;

import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A volume: {@code volumes/<id>/data/} (the content a VM sees) and {@code volumes/<id>/volume.properties}
 * (name, size, purpose). The size is recorded for the inventory only: the local driver does not
 * enforce it as a quota, a VM may write more.
 */
final class VolumeFolder {
    private static final String METADATA = "volume.properties";

    private final Path folder;

    VolumeFolder(Path folder) {
        this.folder = folder;
    }

    /** The folder holding the volume's content; a mounted link points here. */
    Path data() {
        return folder.resolve("data");
    }

    Path folder() {
        return folder;
    }

    boolean exists() {
        return Files.isRegularFile(folder.resolve(METADATA));
    }

    VolumeInfo info() throws IOException {
        Map<String, String> metadata = PropertiesFile.read(folder.resolve(METADATA));
        return new VolumeInfo(new VolumeRef(folder.getFileName().toString(), metadata.get("name")),
                Long.parseLong(metadata.get("sizeBytes")), metadata.get("purpose"));
    }

    static VolumeFolder create(Path volumesRoot, String id, VolumeSpec spec) throws IOException {
        if (!spec.properties().isEmpty()) {
            throw new InvalidSpecException("Unknown volume property '" + spec.properties().keySet().iterator().next()
                    + "' for volume " + spec.name() + "; the local driver knows no volume properties",
                    new ObjectId(ObjectKind.VOLUME, spec.name()));
        }
        Files.createDirectories(volumesRoot);
        Path staging = volumesRoot.resolve(".incoming-" + id);
        try {
            Files.createDirectories(staging.resolve("data"));
            PropertiesFile.write(staging.resolve(METADATA), Map.of("name", spec.name(),
                    "sizeBytes", Long.toString(spec.sizeBytes()), "purpose", spec.purpose()));
            Path target = volumesRoot.resolve(id);
            Files.move(staging, target);
            return new VolumeFolder(target);
        } finally {
            TreeDeletion.delete(staging);
        }
    }

    void delete() throws IOException {
        Files.deleteIfExists(folder.resolve(METADATA));
        TreeDeletion.delete(folder);
    }
}
