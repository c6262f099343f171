package dev.duplex.driver.local;

import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A registered image: {@code images/<id>/image.properties} (name, software version, command) and
 * {@code images/<id>/content/}, a copy of the source folder taken at registration, so a later
 * change of the source does not change the image.
 *
 * <p>The source folder holds the manifest {@value #MANIFEST} with {@code command=} (a shell
 * command line run with {@code /bin/sh -c} in the VM's root folder) and optionally
 * {@code version=} (must equal the registered software version when present). A symbolic link
 * in the source may point only inside the source ({@link ImageLinks}).
 */
final class ImageFolder {
    static final String MANIFEST = "duplex-image.properties";
    private static final String METADATA = "image.properties";

    private final Path folder;

    ImageFolder(Path folder) {
        this.folder = folder;
    }

    Path content() {
        return folder.resolve("content");
    }

    boolean exists() {
        return Files.isRegularFile(folder.resolve(METADATA));
    }

    ImageRef ref() throws IOException {
        Map<String, String> metadata = PropertiesFile.read(folder.resolve(METADATA));
        return new ImageRef(folder.getFileName().toString(), metadata.get("name"));
    }

    ImageInfo info() throws IOException {
        Map<String, String> metadata = PropertiesFile.read(folder.resolve(METADATA));
        return new ImageInfo(new ImageRef(folder.getFileName().toString(), metadata.get("name")),
                metadata.get("softwareVersion"));
    }

    String command() throws IOException {
        return PropertiesFile.read(folder.resolve(METADATA)).get("command");
    }

    /**
     * Checks the source folder and its manifest, copies the source into a hidden staging folder
     * and renames it into place, so a half-copied image is never listed.
     */
    static ImageFolder register(Path imagesRoot, String id, ImageSpec spec) throws IOException {
        ObjectId object = new ObjectId(ObjectKind.IMAGE, spec.name());
        if (!spec.properties().isEmpty()) {
            throw new InvalidSpecException("Unknown image property '" + spec.properties().keySet().iterator().next()
                    + "' for image " + spec.name() + "; the local driver knows no image properties", object);
        }
        Path given = Path.of(spec.source());
        if (!Files.isDirectory(given)) {
            throw new InvalidSpecException("The source of image " + spec.name() + " must be a folder; "
                    + given.toAbsolutePath() + " is not one", object);
        }
        // The folder the operator named, even through a link; from here on no link is followed.
        Path source = given.toRealPath();
        Path manifest = source.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new InvalidSpecException("Image " + spec.name() + " has no manifest: expected " + manifest.toAbsolutePath()
                    + " with 'command=<shell command line>' and 'version=" + spec.softwareVersion() + "'", object);
        }
        Map<String, String> values = PropertiesFile.read(manifest);
        String command = values.getOrDefault("command", "").trim();
        if (command.isEmpty()) {
            throw new InvalidSpecException("The manifest " + manifest.toAbsolutePath() + " of image " + spec.name()
                    + " has no 'command=' (the shell command line the VM runs)", object);
        }
        String version = values.get("version");
        if (version != null && !version.trim().equals(spec.softwareVersion())) {
            throw new InvalidSpecException("The manifest " + manifest.toAbsolutePath() + " says version '" + version.trim()
                    + "' but image " + spec.name() + " is registered as version '" + spec.softwareVersion() + "'", object);
        }
        Files.createDirectories(imagesRoot);
        Path staging = imagesRoot.resolve(".incoming-" + id);
        try {
            ImageFolder staged = new ImageFolder(staging);
            TreeCopy.copy(source, staged.content(), (copied, total) -> {});
            // Checked on our copy, which nobody else changes between the check and the use.
            ImageLinks.check(staged.content(), source, spec.name(), object);
            PropertiesFile.write(staging.resolve(METADATA),
                    Map.of("name", spec.name(), "softwareVersion", spec.softwareVersion(), "command", command));
            Path target = imagesRoot.resolve(id);
            Files.move(staging, target);
            return new ImageFolder(target);
        } finally {
            TreeDeletion.delete(staging);
        }
    }

    void delete() throws IOException {
        // Remove the metadata first: a half-deleted image is then no longer listed.
        Files.deleteIfExists(folder.resolve(METADATA));
        TreeDeletion.delete(folder);
    }
}
