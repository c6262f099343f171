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
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A local VM's operating-environment items as files, updated atomically.
 *
 * <p>Each revision lives in a generation folder {@code gen-<revision>-<nonce>/} holding a
 * {@code revision} file and {@code items/<name>}. The symbolic link {@code current} names the
 * live generation. Two ways to write:
 * <ul>
 *   <li><b>A new generation</b> (items replaced or removed, or a patch that rewrites much of its
 *       item): unchanged items hard-linked from the previous generation, changed ones written
 *       whole, everything fsynced, then {@code current} swapped by renaming a new link over it.
 *       Until that rename nothing a reader sees has changed.
 *   <li><b>A patch in place</b> (an update made only of {@link ItemChange.Patch}es): the patch is
 *       written to the redo journal {@code journal} and fsynced; then the changed ranges are
 *       written into the live item files, fsynced; then the generation's {@code revision} file is
 *       rewritten and fsynced; then the journal is emptied (three fsyncs in all, whatever the
 *       item's size). It costs what the
 *       changes cost, not the item's size. Every read and write first finishes a journal a crash
 *       left behind, so after a crash the store is the old content (the journal never became
 *       whole) or the new one, byte for byte, with the matching revision.
 * </ul>
 * That is what failover relies on: a standby never boots with half-written settings. A
 * {@code lock} file is locked around every access, so driver instances in other processes take
 * turns too. The journal and the lock are 0600 files of the user Duplex runs as; a journal or an
 * item file that is a link, has another owner or more than one name is refused or not patched.
 */
final class FileEnvironmentStore implements EnvironmentStore {
    private static final System.Logger log = System.getLogger(FileEnvironmentStore.class.getName());
    private static final String CURRENT = "current";
    private static final String GENERATION_PREFIX = "gen-";
    private static final String JOURNAL = "journal";
    private static final String LOCK = "lock";
    private static final String REVISION = "revision";
    private static final int PAGE_BYTES = 4096;
    /** The most one write of a span carries, so a patch of a huge item never needs a huge buffer. */
    private static final int MAX_SPAN_BYTES = 1 << 20;

    /**
     * A test seam: called at each step of a write, so a test can make the write fail there or
     * kill the process there. Steps of a patch in place: {@code journal opened}, {@code journal
     * written}, {@code journal synced}, {@code patch <item> <n>} after the n-th write of an item (ranges less
     * than a page apart are written as one),
     * {@code item synced <item>}, {@code revision written}, {@code revision synced}, {@code
     * journal done}; the same steps from {@code patch} on when a journal is finished on open.
     */
    @FunctionalInterface
    interface Checkpoint {
        Checkpoint NONE = step -> {};

        void reached(String step) throws IOException;
    }

    private record Generation(Path folder, long revision) {
        Path items() {
            return folder.resolve("items");
        }

        String name() {
            return folder.getFileName().toString();
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
                requireVm();
                if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                    return new EnvironmentSnapshot(0, List.of());
                }
                return locked(files -> {
                    finishJournal(files);
                    Generation current = current();
                    return current == null ? new EnvironmentSnapshot(0, List.of()) : snapshot(current);
                });
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
                requireVm();
                if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.createDirectory(folder, OwnFile.PRIVATE_FOLDER);
                    } catch (java.nio.file.FileAlreadyExistsException raced) {
                        // another driver instance made it meanwhile; it is checked like any other below
                    }
                }
                return locked(files -> {
                    finishJournal(files);
                    writeLocked(update, files);
                    return null;
                });
            });
        } finally {
            lock.unlock();
        }
    }

    /** Work done while holding the store's file lock. */
    @FunctionalInterface
    private interface LockedWork<T> {
        T run(OwnFile files) throws IOException;
    }

    /** Runs {@code work} holding an exclusive lock on {@code lock}, against other processes too. */
    private <T> T locked(LockedWork<T> work) throws IOException {
        StateFolder.refuseLink(folder);
        OwnFile files = OwnFile.ofThisProcess();
        Path lockFile = folder.resolve(LOCK);
        try (FileChannel channel = openPrivate(lockFile, files, StandardOpenOption.WRITE)) {
            FileLock held = lockFully(channel);
            try {
                return work.run(files);
            } finally {
                held.release();
            }
        }
    }

    /** The JVM refuses a second lock of one file by another channel: wait for this JVM's other holder. */
    private static FileLock lockFully(FileChannel channel) throws IOException {
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException e) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the environment store's lock");
                }
            }
        }
    }

    /** Opens (creating it 0600 if absent) a file that must be ours alone; a new file's name is made durable. */
    private FileChannel openPrivate(Path file, OwnFile files, StandardOpenOption mode) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                FileChannel created = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, mode), OwnFile.PRIVATE);
                syncFolder(folder);
                return created;
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process made it meanwhile: open it as an existing file
            }
        }
        files.requirePrivate(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, mode, LinkOption.NOFOLLOW_LINKS);
        try {
            // Checked again once open (the open itself refuses a link). The store's folder is 0700, so
            // only Duplex's own user could swap the name in between.
            files.requirePrivate(file);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void requireVm() {
        // The store lives in the VM's folder: once the VM is deleted there is no store to read or
        // to resurrect by writing.
        if (!Files.isDirectory(folder.getParent())) {
            throw new ObjectNotFoundException(ObjectId.of(vm));
        }
    }

    private void writeLocked(EnvironmentUpdate update, OwnFile files) throws IOException {
        Generation previous = current();
        long revision = previous == null ? 0 : previous.revision();
        if (revision != update.expectedRevision()) {
            throw new ConflictException("The environment of VM " + vm + " is at revision " + revision
                    + ", not at the expected revision " + update.expectedRevision()
                    + "; read it again and recompute the change", ObjectId.of(vm));
        }
        TreeSet<String> existing = previous == null ? new TreeSet<>() : itemNames(previous);
        for (ItemChange change : update.changes()) {
            if (!(change instanceof ItemChange.Replace) && !existing.contains(change.item())) {
                throw new ObjectNotFoundException(new ObjectId(ObjectKind.ENVIRONMENT_ITEM, vm.id() + "/" + change.item()));
            }
        }
        if (previous != null && patchesInPlace(previous, update, files)) {
            patchInPlace(previous, update, files);
        } else {
            writeGeneration(previous, existing, update);
        }
    }

    /**
     * Whether {@code update} is cheaper patched in place: only patches, each of an item file we
     * may write where it lies (ours, one name: not shared with an older generation), carrying at
     * most half of the patched items' bytes (the journal writes them twice; past that, copying the
     * item into a new generation costs less).
     */
    private static boolean patchesInPlace(Generation current, EnvironmentUpdate update, OwnFile files) throws IOException {
        if (update.changes().isEmpty() || !files.mayPatchInPlace(current.folder().resolve(REVISION))) {
            return false;
        }
        long patched = 0;
        long itemBytes = 0;
        for (ItemChange change : update.changes()) {
            if (!(change instanceof ItemChange.Patch patch)) {
                return false;
            }
            Path item = current.items().resolve(patch.item());
            if (!files.mayPatchInPlace(item)) {
                return false;
            }
            itemBytes += Math.max(Files.size(item), patch.newLength());
            for (BytePatch range : patch.patches()) {
                patched += range.length();
            }
        }
        return patched * 2 <= itemBytes;
    }

    private void patchInPlace(Generation current, EnvironmentUpdate update, OwnFile files) throws IOException {
        var patches = update.changes().stream().map(ItemChange.Patch.class::cast).toList();
        var entry = new PatchJournal.Entry(current.name(), update.expectedRevision(), update.newRevision(), patches);
        byte[] record = PatchJournal.encode(entry);
        try (FileChannel journal = openPrivate(folder.resolve(JOURNAL), files, StandardOpenOption.WRITE)) {
            try {
                checkpoint.reached("journal opened");
                journal.truncate(0);
                writeFully(journal, ByteBuffer.wrap(record), 0);
                checkpoint.reached("journal written");
                journal.force(false);
            } catch (IOException | RuntimeException e) {
                // Not committed: no item byte has changed. Empty the journal so no torn record stays.
                try {
                    journal.truncate(0);
                    journal.force(false);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            checkpoint.reached("journal synced");
            try {
                redo(current.folder(), entry, journal, files);
            } catch (IOException e) {
                // Committed: the journal is whole and durable, so the next read or write finishes it.
                throw new IOException(e.getMessage() + " (the update to revision " + update.newRevision()
                        + " is in the store's journal and is finished at the next read or write)", e);
            }
        }
    }

    /** Finishes a patch a crash interrupted, or drops a journal torn before it was fsynced. */
    private void finishJournal(OwnFile files) throws IOException {
        Path path = folder.resolve(JOURNAL);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (FileChannel journal = openPrivate(path, files, StandardOpenOption.WRITE)) {
            long size = journal.size();
            if (size == 0) {
                return;
            }
            if (size > Integer.MAX_VALUE - 16) {
                throw new FileSystemException(path.toString(), null, "is " + size + " bytes, larger than any journal "
                        + "the local driver writes; check who made it, then delete it");
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining() && journal.read(bytes, bytes.position()) >= 0) {
                // read until full
            }
            Optional<PatchJournal.Entry> entry = PatchJournal.decode(bytes.array());
            if (entry.isEmpty()) {
                // Torn before its fsync ended: the patch never started, the items are the old ones.
                log.log(System.Logger.Level.WARNING, "Dropping the torn environment journal of VM {0} ({1} bytes); "
                        + "the store stays at its revision", vm, size);
                journal.truncate(0);
                journal.force(false);
                return;
            }
            Path current = currentFolder();
            PatchJournal.Entry pending = entry.get();
            if (current == null || !current.getFileName().toString().equals(pending.generation())) {
                // A finished patch whose emptying a crash undid, since overtaken by a new generation
                // (a new generation is written only after the journal was finished).
                journal.truncate(0);
                journal.force(false);
                return;
            }
            // The latest patch of the live generation (each patch overwrites the journal first):
            // doing it again is right whether it was cut short or finished. Its revision file is
            // not read first, since a crash may have cut that write short too.
            log.log(System.Logger.Level.INFO, "Finishing the environment patch of VM {0} to revision {1} that a crash "
                    + "interrupted", vm, pending.newRevision());
            redo(current, pending, journal, files);
        }
    }

    /**
     * Writes every range of {@code entry} into the live items, fsyncs them, sets the revision and
     * empties the journal. Every write is absolute, so running it again after a crash is safe.
     */
    private void redo(Path generation, PatchJournal.Entry entry, FileChannel journal, OwnFile files) throws IOException {
        for (ItemChange.Patch patch : entry.patches()) {
            Path item = generation.resolve("items").resolve(patch.item());
            if (!files.mayPatchInPlace(item)) {
                throw new FileSystemException(item.toString(), null, "cannot be patched where it lies (a link, "
                        + "another owner, several names or writable by others); check who changed it");
            }
            try (FileChannel channel = FileChannel.open(item, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                resize(channel, patch.newLength());
                writeSpans(channel, patch);
                channel.force(false);
            }
            checkpoint.reached("item synced " + patch.item());
        }
        // Rewritten where it lies, not renamed over: until the journal is emptied a crash cut
        // short here is redone from the journal, so the write needs no atomicity of its own, and
        // it costs one fsync instead of a file's and a folder's.
        Path revision = generation.resolve(REVISION);
        if (!files.mayPatchInPlace(revision)) {
            throw new FileSystemException(revision.toString(), null, "cannot be written where it lies (a link, "
                    + "another owner, several names or writable by others); check who changed it");
        }
        try (FileChannel channel = FileChannel.open(revision, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            byte[] text = (entry.newRevision() + "\n").getBytes(StandardCharsets.US_ASCII);
            writeFully(channel, ByteBuffer.wrap(text), 0);
            channel.truncate(text.length);
            checkpoint.reached("revision written");
            channel.force(false);
        }
        checkpoint.reached("revision synced");
        // Not fsynced: if a crash undoes the emptying, the journal is done again on open, which
        // writes the same bytes and revision.
        journal.truncate(0);
        checkpoint.reached("journal done");
    }

    /**
     * Writes the ranges of {@code patch}, those less than a page apart as one write of their
     * span (its gaps read back from the item first): a gap shorter than a page holds no whole
     * page, so no page is written that the ranges alone would not dirty, and ten thousand
     * changed runs cost a few system calls instead of ten thousand. The gaps hold the item's own
     * bytes, so writing them again is harmless, also when a crash makes this run twice.
     */
    private void writeSpans(FileChannel channel, ItemChange.Patch patch) throws IOException {
        List<BytePatch> ranges = patch.patches();
        int span = 0;
        for (int first = 0; first < ranges.size(); span++) {
            long start = ranges.get(first).offset();
            long end = ranges.get(first).end();
            int last = first + 1;
            while (last < ranges.size() && ranges.get(last).offset() - end < PAGE_BYTES
                    && ranges.get(last).end() - start <= MAX_SPAN_BYTES) {
                end = ranges.get(last).end();
                last++;
            }
            if (last == first + 1) {
                writeFully(channel, ByteBuffer.wrap(ranges.get(first).bytes()), start);
            } else {
                ByteBuffer bytes = ByteBuffer.allocate((int) (end - start));
                while (bytes.hasRemaining() && channel.read(bytes, start + bytes.position()) > 0) {
                    // read the span's current bytes, gaps included
                }
                for (int i = first; i < last; i++) {
                    BytePatch range = ranges.get(i);
                    bytes.put((int) (range.offset() - start), range.bytes());
                }
                writeFully(channel, bytes.clear(), start);
            }
            checkpoint.reached("patch " + patch.item() + " " + span);
            first = last;
        }
    }

    private static void resize(FileChannel channel, long length) throws IOException {
        long size = channel.size();
        if (length < size) {
            channel.truncate(length);
        } else if (length > size) {
            // Zero-extend: writing the last byte leaves a hole that reads as zeros.
            writeFully(channel, ByteBuffer.wrap(new byte[1]), length - 1);
        }
    }

    private void writeGeneration(Generation previous, TreeSet<String> existing, EnvironmentUpdate update)
            throws IOException {
        Map<String, ItemChange> changes =
                update.changes().stream().collect(Collectors.toMap(ItemChange::item, Function.identity()));
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
            writeDurably(next.folder().resolve(REVISION), (update.newRevision() + "\n").getBytes());
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
        Path generation = currentFolder();
        if (generation == null) {
            return null;
        }
        Path file = generation.resolve(REVISION);
        String text = Files.readString(file, StandardCharsets.ISO_8859_1).trim();
        try {
            return new Generation(generation, Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new FileSystemException(file.toString(), null, "holds no revision number; the environment store "
                    + "was changed behind the driver: check who did it, then write the whole environment again");
        }
    }

    /** The folder {@code current} names, checked to be a generation of this store; null before the first write. */
    private Path currentFolder() throws IOException {
        requireVm();
        Path link = folder.resolve(CURRENT);
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        Path target = Files.readSymbolicLink(link);
        String name = target.toString();
        // Only ever a generation of this folder: a link planted to elsewhere is not followed.
        if (target.getNameCount() != 1 || target.isAbsolute() || !name.startsWith(GENERATION_PREFIX)) {
            throw new FileSystemException(link.toString(), name, "does not name a generation folder of the store; "
                    + "the environment store was changed behind the driver, check who did it");
        }
        Path generation = folder.resolve(target);
        StateFolder.refuseLink(generation);
        StateFolder.refuseLink(generation.resolve("items"));
        return generation;
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
        try (FileChannel out = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), OwnFile.PRIVATE)) {
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
