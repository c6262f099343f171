package dev.duplex.driver.local;

import dev.duplex.api.CopyProgress;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Saves what a VM wrote to its {@link VolumeLink.Mode#COPY_AT_BOOT} copies back to their volumes,
 * once the VM is gone: at stop, and after a crash before the next boot or the VM's deletion
 * would throw the copy away. Without it the next boot copies the volume in again and the VM's
 * writes are lost.
 *
 * <p>Each volume is replaced as a whole and atomically, within its own folder: the copy is
 * staged in {@code .writeback-<n>}, flushed to disk, renamed {@code .saved-<n>} (complete), then
 * {@code data} is renamed {@code .old-<n>} and {@code .saved-<n>} renamed {@code data}. A crash
 * between the two renames leaves no {@code data}; {@link #recover(VolumeFolder)} finishes the
 * swap from a complete {@code .saved-<n>}, or puts {@code .old-<n>} back, so the volume always
 * holds its old content or its new one, never a mix.
 */
final class CopyWriteBack {
    private static final String STAGING = ".writeback-";
    private static final String SAVED = ".saved-";
    private static final String OLD = ".old-";

    private final ObjectLocks locks;
    private final Function<VolumeRef, VolumeFolder> volumes;

    CopyWriteBack(ObjectLocks locks, Function<VolumeRef, VolumeFolder> volumes) {
        this.locks = locks;
        this.volumes = volumes;
    }

    /** Saves the VM's copies if its last boot left unsaved ones; the VM must be gone. */
    void saveCopies(VmFolder vm, VmFolder.Definition definition) throws IOException {
        if (!Files.exists(vm.unsavedCopies(), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        ObjectId object = ObjectId.of(definition.vm());
        for (VolumeLink link : definition.links()) {
            if (link.mode() != VolumeLink.Mode.COPY_AT_BOOT) {
                continue;
            }
            // Resolved without following links: the VM may have replaced its copy, or a folder on the way, with one.
            Path copy;
            try {
                copy = MountPoint.resolve(vm.root(), link, false, definition.vm().name(), object);
            } catch (InvalidSpecException e) {
                copy = null;
            }
            if (copy == null || !Files.isDirectory(copy, LinkOption.NOFOLLOW_LINKS)) {
                // Nothing we can take for the volume's content, and a link must never be followed out of the VM.
                throw new IOException("the copy of volume " + link.volume() + " at '" + VisibleText.escape(link.mountPath())
                        + "' in VM " + definition.vm().name() + "'s root is no longer a real folder (the VM removed it or put a"
                        + " link in its way), so it cannot be saved back; the volume is left as it was. To discard the VM's"
                        + " writes and start it again, delete " + vm.unsavedCopies());
            }
            try (var held = locks.lock("volume:" + link.volume().id())) {
                replaceContent(volumes.apply(link.volume()), copy);
            }
        }
        Files.delete(vm.unsavedCopies());
    }

    /** Finishes or undoes a swap a crash interrupted, and drops leftovers; call with the volume's lock held. */
    static void recover(VolumeFolder volume) throws IOException {
        List<Path> saved = leftovers(volume, SAVED);
        List<Path> old = leftovers(volume, OLD);
        if (!Files.exists(volume.data(), LinkOption.NOFOLLOW_LINKS)) {
            if (!saved.isEmpty()) {
                Files.move(saved.get(0), volume.data());
            } else if (!old.isEmpty()) {
                Files.move(old.get(0), volume.data());
            }
        }
        for (String prefix : List.of(STAGING, SAVED, OLD)) {
            for (Path leftover : leftovers(volume, prefix)) {
                TreeDeletion.delete(leftover);
            }
        }
    }

    private static void replaceContent(VolumeFolder volume, Path copy) throws IOException {
        recover(volume);
        String nonce = UUID.randomUUID().toString().substring(0, 8);
        Path staging = volume.folder().resolve(STAGING + nonce);
        Path old = volume.folder().resolve(OLD + nonce);
        try {
            TreeCopy.copy(copy, staging, CopyProgress.NONE);
            // The volume's folder keeps its mode (and so who may read it), whatever the VM did to its copy's.
            Files.getFileAttributeView(staging, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(Files.getPosixFilePermissions(volume.data(), LinkOption.NOFOLLOW_LINKS));
            flush(staging);
            swapIn(volume, staging, nonce);
        } finally {
            TreeDeletion.delete(staging);
            TreeDeletion.delete(old);
        }
    }

    /**
     * Makes the complete, flushed folder {@code staged} (inside the volume's folder) the volume's
     * content by the renames {@link #recover} knows how to finish or undo. Also used by a snapshot's
     * restore. Call with the volume's lock held.
     */
    static void swapIn(VolumeFolder volume, Path staged, String nonce) throws IOException {
        Path saved = volume.folder().resolve(SAVED + nonce);
        Path old = volume.folder().resolve(OLD + nonce);
        try {
            Files.move(staged, saved);
            Files.move(volume.data(), old);
            Files.move(saved, volume.data());
            flushFolder(volume.folder());
        } finally {
            TreeDeletion.delete(old);
        }
    }

    /** The name of a staging folder inside a volume's folder that {@link #recover} drops if a crash leaves it. */
    static String stagingName(String nonce) {
        return STAGING + nonce;
    }

    private static List<Path> leftovers(VolumeFolder volume, String prefix) throws IOException {
        try (Stream<Path> entries = Files.list(volume.folder())) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    /** Forces the staged files and folders to disk, so the rename publishes content that is really there. */
    private static void flush(Path tree) throws IOException {
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                        channel.force(true);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                flushFolder(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void flushFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
