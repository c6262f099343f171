package dev.duplex.cli.env;

import dev.duplex.api.BytePatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The file {@code env apply} changes, read once: the bytes that were checked against the diff's
 * base are the bytes that get patched, and the file is replaced only if it is still the file
 * that was read ({@link FileIdentity}); a writer in between makes the apply refuse rather than
 * patch bytes nobody checked. A link is followed once, to the real file, which is replaced in its
 * own folder with its owner, group and mode kept. A file with other hard links is refused:
 * replacing it would leave its other names with the old content.
 */
final class TargetFile {
    private final OfflineFiles.FileAt file;
    private final byte[] content;

    private TargetFile(OfflineFiles.FileAt file, byte[] content) {
        this.file = file;
        this.content = content;
    }

    static TargetFile read(Path given, String role) {
        OfflineFiles.FileAt at = OfflineFiles.open(given, role);
        if (at.identity().links() > 1) {
            throw new IllegalArgumentException("The " + role + " file " + given + " has " + at.identity().links()
                    + " hard links; replacing it atomically would leave the others with the old content: apply to a "
                    + "file with one link (copy it) and nothing was written");
        }
        // the bytes, and the copies an EnvironmentItem makes on the way in and out
        OfflineFiles.requireHeap(3 * at.identity().size(), at.identity().size(), given, role);
        return new TargetFile(at, OfflineFiles.readExactly(at, role));
    }

    /** The bytes as read and checked (not a copy: this class and its caller own them). */
    byte[] content() {
        return content;
    }

    /** Writes the checked bytes truncated or zero-extended to {@code newLength}, with the patches laid over. */
    void patch(long newLength, List<BytePatch> patches) {
        AtomicFile.replaceChecked(file.given(), file.real(), file.identity(), channel -> {
            AtomicFile.writeFully(channel, ByteBuffer.wrap(content, 0, (int) Math.min(content.length, newLength)), 0);
            if (newLength > content.length) {
                // zero-extend: the last byte written leaves a hole that reads as zeros
                AtomicFile.writeFully(channel, ByteBuffer.wrap(new byte[1]), newLength - 1);
            }
            for (BytePatch patch : patches) {
                AtomicFile.writeFully(channel, ByteBuffer.wrap(patch.bytes()), patch.offset());
            }
        });
    }

    /** Writes {@code replacement} whole. */
    void replace(byte[] replacement) {
        AtomicFile.replaceChecked(file.given(), file.real(), file.identity(),
                channel -> AtomicFile.writeFully(channel, ByteBuffer.wrap(replacement), 0));
    }
}
