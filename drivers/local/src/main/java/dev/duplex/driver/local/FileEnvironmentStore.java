package dev.duplex.driver.local;

import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.BytePatch;
import dev.duplex.api.VmRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A local VM's operating-environment items as files, updated atomically.
 *
 * <p>Each revision is an immutable generation folder {@code gen-<revision>-<nonce>/} holding a
 * {@code revision} file and {@code items/<name>}. The symbolic link {@code current} names the
 * live generation. A write builds a whole new generation (unchanged items hard-linked from the
 * previous one, patched items copied then patched), fsyncs its files and folders, then swaps
 * {@code current} by renaming a new link over it and fsyncs the store folder. Until that rename
 * nothing a reader sees has changed; after it the new generation is complete and durable. That
 * is what failover relies on: a standby never boots with half-written settings.
 */
final class FileEnvironmentStore implements EnvironmentStore {
    private static final String CURRENT = "current";
    private static final String GENERATION_PREFIX = "gen-";

    /** A test seam: called at each step of a write, so a test can make the write fail there. */
    @FunctionalInterface
    interface Checkpoint {
        Checkpoint NONE = step -> {};

        void reached(String step) throws IOException;
    }

    private record Generation(Path folder, long revision) {
        Path items() {
            return folder.resolve("items");
        }
    }

    private final Path folder;
    private final VmRef vm;
    private final ReentrantLock lock;
    private final Checkpoint checkpoint;

    FileEnvironmentStore(Path folder, VmRef vm, ReentrantLock lock) {
        this(folder, vm, lock, Checkpoint.NONE);
    }

    FileEnvironmentStore(Path folder, VmRef vm, ReentrantLock lock, Checkpoint checkpoint) {
        this.folder = folder;
        this.vm = vm;
        this.lock = lock;
        this.checkpoint = checkpoint;
    }

    @Override
    public EnvironmentSnapshot read() {
        lock.lock();
        try {
            return IoErrors.call("read the environment", ObjectId.of(vm), () -> {
                // Another driver instance may retire the generation we are reading; read the new one then.
                for (int attempt = 1; ; attempt++) {
                    try {
                        Generation current = current();
                        return current == null ? new EnvironmentSnapshot(0, List.of()) : snapshot(current);
                    } catch (NoSuchFileException e) {
                        if (attempt == 5) {
                            throw e;
                        }
                    }
                }
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(EnvironmentUpdate update) {
        lock.lock();
        try {
            IoErrors.call("write the environment", ObjectId.of(vm), () -> {
                writeLocked(update);
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    private void writeLocked(EnvironmentUpdate update) throws IOException {
        Generation previous = current();
        long revision = previous == null ? 0 : previous.revision();
        if (revision != update.expectedRevision()) {
            throw new ConflictException("The environment of VM " + vm + " is at revision " + revision
                    + ", not at the expected revision " + update.expectedRevision()
                    + "; read it again and recompute the change", ObjectId.of(vm));
        }
        TreeSet<String> existing = previous == null ? new TreeSet<>() : itemNames(previous);
        Map<String, ItemChange> changes =
                update.changes().stream().collect(Collectors.toMap(ItemChange::item, Function.identity()));
        for (ItemChange change : update.changes()) {
            if (!(change instanceof ItemChange.Replace) && !existing.contains(change.item())) {
                throw new ObjectNotFoundException(new ObjectId(ObjectKind.ENVIRONMENT_ITEM, vm.id() + "/" + change.item()));
            }
        }
        Files.createDirectories(folder);
        String nonce = UUID.randomUUID().toString().substring(0, 8);
        Generation next = new Generation(folder.resolve(GENERATION_PREFIX + update.newRevision() + "-" + nonce),
                update.newRevision());
        Path newLink = folder.resolve(".current-" + nonce);
        try {
            Files.createDirectories(next.items());
            for (String name : existing) {
                if (!changes.containsKey(name)) {
                    carryOver(previous.items().resolve(name), next.items().resolve(name));
                }
            }
            for (ItemChange change : update.changes()) {
                Path target = next.items().resolve(change.item());
                if (change instanceof ItemChange.Replace replace) {
                    writeDurably(target, replace.content().content());
                } else if (change instanceof ItemChange.Patch patch) {
                    Files.copy(previous.items().resolve(patch.item()), target);
                    applyPatch(target, patch);
                }
                checkpoint.reached("item " + change.item());
            }
            writeDurably(next.folder().resolve("revision"), (update.newRevision() + "\n").getBytes());
            syncFolder(next.items());
            syncFolder(next.folder());
            checkpoint.reached("generation written");
            Files.createSymbolicLink(newLink, next.folder().getFileName());
            checkpoint.reached("link created");
            Files.move(newLink, folder.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // 'current' still names the previous generation; drop what we built.
            Files.deleteIfExists(newLink);
            deleteQuietly(next.folder(), e);
            throw e;
        }
        syncFolder(folder);
        retireOldGenerations(next.folder());
    }

    private Generation current() throws IOException {
        // The store lives in the VM's folder: once the VM is deleted there is no store to read or
        // to resurrect by writing.
        if (!Files.isDirectory(folder.getParent())) {
            throw new ObjectNotFoundException(ObjectId.of(vm));
        }
        Path link = folder.resolve(CURRENT);
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        Path generation = folder.resolve(Files.readSymbolicLink(link));
        long revision = Long.parseLong(Files.readString(generation.resolve("revision")).trim());
        return new Generation(generation, revision);
    }

    private static EnvironmentSnapshot snapshot(Generation generation) throws IOException {
        List<EnvironmentItem> items = new ArrayList<>();
        for (String name : itemNames(generation)) {
            items.add(new EnvironmentItem(name, Files.readAllBytes(generation.items().resolve(name))));
        }
        return new EnvironmentSnapshot(generation.revision(), items);
    }

    private static TreeSet<String> itemNames(Generation generation) throws IOException {
        try (var files = Files.list(generation.items())) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** An unchanged item is shared with the previous generation (generations are never modified). */
    private static void carryOver(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(from, to);
            try (FileChannel channel = FileChannel.open(to, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
    }

    private static void writeDurably(Path file, byte[] content) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(content), 0);
            out.force(true);
        }
    }

    private static void applyPatch(Path file, ItemChange.Patch patch) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (patch.newLength() < size) {
                channel.truncate(patch.newLength());
            } else if (patch.newLength() > size) {
                // Zero-extend: writing the last byte leaves a hole that reads as zeros.
                writeFully(channel, ByteBuffer.wrap(new byte[1]), patch.newLength() - 1);
            }
            for (BytePatch bytes : patch.patches()) {
                writeFully(channel, ByteBuffer.wrap(bytes.bytes()), bytes.offset());
            }
            channel.force(true);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** Makes a folder's entries (new files, a renamed link) durable. */
    private static void syncFolder(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private void retireOldGenerations(Path keep) {
        try (var entries = Files.list(folder)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                boolean staleGeneration = name.startsWith(GENERATION_PREFIX) && !entry.equals(keep);
                if (staleGeneration || name.startsWith(".current-")) {
                    TreeDeletion.delete(entry);
                }
            }
        } catch (IOException e) {
            // Old generations are garbage, never read again; the next write retries the cleanup.
        }
    }

    private static void deleteQuietly(Path path, Exception failure) {
        try {
            TreeDeletion.delete(path);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
