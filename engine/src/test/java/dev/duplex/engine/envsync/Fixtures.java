package dev.duplex.engine.envsync;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Snapshots and diff bytes for tests. */
final class Fixtures {
    private Fixtures() {
    }

    static EnvironmentSnapshot snapshot(long revision, Object... nameThenContent) {
        var items = new ArrayList<EnvironmentItem>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            items.add(new EnvironmentItem((String) nameThenContent[i], (byte[]) nameThenContent[i + 1]));
        }
        return new EnvironmentSnapshot(revision, items);
    }

    static byte[] random(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A copy of {@code bytes} with {@code runs} random runs of 1..{@code maxRun} bytes changed. */
    static byte[] mutate(Random random, byte[] bytes, int runs, int maxRun) {
        byte[] copy = bytes.clone();
        for (int r = 0; r < runs && copy.length > 0; r++) {
            int length = 1 + random.nextInt(Math.min(maxRun, copy.length));
            int offset = random.nextInt(copy.length - length + 1);
            for (int i = offset; i < offset + length; i++) {
                copy[i] = (byte) (copy[i] + 1 + random.nextInt(255));
            }
        }
        return copy;
    }

    /** All items' bytes, for byte-for-byte comparison of a store before and after. */
    static List<Object> bytesOf(EnvironmentSnapshot snapshot) {
        var out = new ArrayList<Object>();
        out.add(snapshot.revision());
        for (EnvironmentItem item : snapshot.items()) {
            out.add(item.name());
            out.add(java.util.HexFormat.of().formatHex(item.content()));
        }
        return out;
    }

    /** Rewrites the diff's trailing CRC32C after a test edited its bytes on purpose. */
    static byte[] resealed(byte[] diff) {
        byte[] copy = diff.clone();
        int crc = Checksums.crc32c(copy, 0, copy.length - 4);
        ByteBuffer.wrap(copy, copy.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc);
        return copy;
    }

    /** The offset of the first entry of a diff whose item names are {@code names}. */
    static int firstEntryOffset(String... names) {
        int offset = DiffFormat.HEADER_BYTES;
        for (String name : names) {
            offset += DiffFormat.ITEM_ROW_FIXED_BYTES + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return offset;
    }
}
