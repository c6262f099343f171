package dev.duplex.bench.envsync;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.PlatformException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.stream.Stream;

/**
 * A file-backed environment store for benchmarks, written like the local driver's: each item a
 * file, each write to a temp file, fsync, rename, then the revision file the same way and an
 * fsync of the directory. A patch copies the current file to the temp file and writes each
 * patch at its offset (one positional write per patch) before the fsync.
 *
 * <p>Atomic per file only, which is enough for the single-item benchmarks; not a driver.
 */
final class FileEnvironmentStore implements EnvironmentStore {
    private static final String REVISION = ".revision";
    private final Path directory;

    FileEnvironmentStore(Path directory) {
        this.directory = directory;
    }

    @Override
    public EnvironmentSnapshot read() {
        try {
            long revision = Files.exists(directory.resolve(REVISION))
                    ? Long.parseLong(Files.readString(directory.resolve(REVISION)).trim())
                    : 0;
            var items = new ArrayList<EnvironmentItem>();
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (!name.startsWith(".")) {
                        items.add(new EnvironmentItem(name, Files.readAllBytes(file)));
                    }
                }
            }
            return new EnvironmentSnapshot(revision, items);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(EnvironmentUpdate update) {
        try {
            long revision = read().revision();
            if (revision != update.expectedRevision()) {
                throw new ConflictException("store at revision " + revision + ", update expects "
                        + update.expectedRevision(), id("revision"));
            }
            for (ItemChange change : update.changes()) {
                Path file = directory.resolve(change.item());
                Path temp = directory.resolve(".tmp-" + change.item());
                if (change instanceof ItemChange.Replace replace) {
                    writeDurably(temp, replace.content().content());
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                } else if (change instanceof ItemChange.Patch patch) {
                    Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
                    try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
                        if (channel.size() > patch.newLength()) {
                            channel.truncate(patch.newLength());
                        }
                        for (BytePatch bytes : patch.patches()) {
                            channel.write(ByteBuffer.wrap(bytes.bytes()), bytes.offset());
                        }
                        if (channel.size() < patch.newLength()) {
                            channel.write(ByteBuffer.allocate(1), patch.newLength() - 1);
                        }
                        channel.force(true);
                    }
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.delete(file);
                }
            }
            if (update.newRevision() != revision) {
                Path temp = directory.resolve(".tmp-revision");
                writeDurably(temp, Long.toString(update.newRevision()).getBytes(StandardCharsets.US_ASCII));
                Files.move(temp, directory.resolve(REVISION), StandardCopyOption.ATOMIC_MOVE);
            }
            try (var dir = java.nio.channels.FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new PlatformException("write to " + directory + " failed: " + e.getMessage(), id("store"), e);
        }
    }

    private static void writeDurably(Path temp, byte[] content) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            var buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static ObjectId id(String what) {
        return new ObjectId(ObjectKind.ENVIRONMENT_ITEM, what);
    }

    /** Puts the store back to {@code snapshot} between measurements, bypassing the revision check (not timed). */
    void reset(EnvironmentSnapshot snapshot) {
        try {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            for (EnvironmentItem item : snapshot.items()) {
                writeDurably(directory.resolve(item.name()), item.content());
            }
            writeDurably(directory.resolve(REVISION),
                    Long.toString(snapshot.revision()).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
