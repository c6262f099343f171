package dev.duplex.engine.envsync;

import java.util.zip.CRC32C;

/** CRC32C, the one checksum of the diff format (item checksums and the diff's own). */
final class Checksums {
    private Checksums() {
    }

    static int crc32c(byte[] bytes) {
        return crc32c(bytes, 0, bytes.length);
    }

    static int crc32c(byte[] bytes, int offset, int length) {
        var crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static String hex(int crc) {
        return String.format("0x%08x", crc);
    }
}
