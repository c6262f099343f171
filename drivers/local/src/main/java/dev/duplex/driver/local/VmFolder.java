package dev.duplex.driver.local;

import dev.duplex.api.ImageRef;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A VM's folder {@code vms/<id>/}: its definition ({@code vm.properties}), its {@code root/}
 * folder the process runs in, {@code console.log}, the {@code process} record of the running
 * process, the {@code stopped-by-request} marker and its {@code environment/} store.
 */
final class VmFolder {
    private static final String METADATA = "vm.properties";
    private static final String PROPERTY_PREFIX = "property.";
    /** Enough for the last lines of any console; a VM that prints megabytes is not read whole. */
    private static final int CONSOLE_TAIL_BYTES = 64 * 1024;

    /**
     * A VM's definition as stored.
     *
     * @param vm the VM
     * @param image its image
     * @param links its links, in definition order
     * @param properties its {@link VmSpec} properties
     */
    record Definition(VmRef vm, ImageRef image, List<VolumeLink> links, Map<String, String> properties) {}

    private final Path folder;

    VmFolder(Path folder) {
        this.folder = folder;
    }

    Path folder() {
        return folder;
    }

    Path root() {
        return folder.resolve("root");
    }

    Path console() {
        return folder.resolve("console.log");
    }

    Path processRecord() {
        return folder.resolve("process");
    }

    Path stopMarker() {
        return folder.resolve("stopped-by-request");
    }

    /** Present from a boot that made copy-at-boot copies until they are saved back ({@link CopyWriteBack}). */
    Path unsavedCopies() {
        return folder.resolve("copies-unsaved");
    }

    /** The last {@code count} lines of the console, oldest first; only its end is read, however long it grew. */
    List<String> consoleTail(int count) throws IOException {
        if (!Files.isRegularFile(console(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(console(),
                java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            long from = Math.max(0, size - CONSOLE_TAIL_BYTES);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) (size - from));
            while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) > 0) {
                // read until full
            }
            List<String> lines = new java.util.ArrayList<>(new String(buffer.array(), 0, buffer.position(),
                    java.nio.charset.StandardCharsets.UTF_8).lines().toList());
            if (from > 0 && !lines.isEmpty()) {
                lines.remove(0); // cut in the middle
            }
            return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
        }
    }

    Path environment() {
        return folder.resolve("environment");
    }

    boolean exists() {
        return Files.isRegularFile(folder.resolve(METADATA));
    }

    String id() {
        return folder.getFileName().toString();
    }

    Definition definition() throws IOException {
        Map<String, String> values = PropertiesFile.read(folder.resolve(METADATA));
        List<VolumeLink> links = new ArrayList<>();
        int count = Integer.parseInt(values.getOrDefault("link.count", "0"));
        for (int i = 0; i < count; i++) {
            String prefix = "link." + i + ".";
            // Definitions written before mount paths had to be relative may say "/db" for "db".
            String mountPath = values.get(prefix + "mountPath").replaceFirst("^/+", "");
            links.add(new VolumeLink(new VolumeRef(values.get(prefix + "volume.id"), values.get(prefix + "volume.name")),
                    mountPath, VolumeLink.Mode.valueOf(values.get(prefix + "mode"))));
        }
        Map<String, String> properties = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(PROPERTY_PREFIX)) {
                properties.put(key.substring(PROPERTY_PREFIX.length()), value);
            }
        });
        return new Definition(new VmRef(id(), values.get("name")),
                new ImageRef(values.get("image.id"), values.get("image.name")), links, properties);
    }

    /** The recorded process, if the VM was ever started. */
    Optional<VmProcess> process() throws IOException {
        return VmProcess.read(processRecord());
    }

    /** The state, from the process record and the stop marker. */
    VmState state() throws IOException {
        Optional<VmProcess> process = process();
        if (process.isPresent() && process.get().alive()) {
            return VmState.RUNNING;
        }
        if (process.isEmpty() || Files.exists(stopMarker())) {
            return VmState.STOPPED;
        }
        // It ran, nobody asked it to stop, and it (or the pid's owner) is not the process we started.
        return VmState.CRASHED;
    }

    /** Writes a new VM's folder through a staging folder, so a half-written VM is never listed. */
    static VmFolder create(Path vmsRoot, String id, VmSpec spec) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("name", spec.name());
        values.put("image.id", spec.image().id());
        values.put("image.name", spec.image().name());
        values.put("link.count", Integer.toString(spec.links().size()));
        for (int i = 0; i < spec.links().size(); i++) {
            VolumeLink link = spec.links().get(i);
            String prefix = "link." + i + ".";
            values.put(prefix + "volume.id", link.volume().id());
            values.put(prefix + "volume.name", link.volume().name());
            values.put(prefix + "mountPath", link.mountPath());
            values.put(prefix + "mode", link.mode().name());
        }
        spec.properties().forEach((key, value) -> values.put(PROPERTY_PREFIX + key, value));
        Files.createDirectories(vmsRoot);
        Path staging = vmsRoot.resolve(".incoming-" + id);
        try {
            Files.createDirectories(staging.resolve("root"));
            PropertiesFile.write(staging.resolve(METADATA), values);
            Path target = vmsRoot.resolve(id);
            Files.move(staging, target);
            return new VmFolder(target);
        } finally {
            TreeDeletion.delete(staging);
        }
    }

    /** Deletes the folder; links inside {@code root/} are deleted as links, their volumes stay. */
    void delete() throws IOException {
        Files.deleteIfExists(folder.resolve(METADATA));
        TreeDeletion.delete(folder);
    }

    /**
     * Where a link's mount path lands inside the root folder, by name only (for looking at a
     * booted VM). The boot itself resolves it part by part without following links ({@link MountPoint}).
     */
    static Path mountPoint(Path root, VolumeLink link) {
        return root.resolve(link.mountPath());
    }
}
