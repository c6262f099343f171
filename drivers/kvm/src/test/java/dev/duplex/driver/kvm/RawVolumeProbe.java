package dev.duplex.driver.kvm;

import dev.duplex.api.VolumeRef;
import dev.duplex.driver.tck.VolumeProbe;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads and writes a marker straight in a raw volume's file of a directory pool, beside libvirt
 * (a volume's key in a directory pool is its file's path). The marker sits at offset 4096, away
 * from the first sector the test guest uses for its own marker.
 */
final class RawVolumeProbe implements VolumeProbe {
    static final long OFFSET = 4096;
    private static final String PREFIX = "TCK-MARKER ";

    @Override
    public long writeMarker(VolumeRef volume, String marker) {
        byte[] record = new byte[512];
        byte[] text = (PREFIX + marker + "\n").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, record, 0, text.length);
        try (var file = new RandomAccessFile(volume.id(), "rw")) {
            file.seek(OFFSET);
            file.write(record);
            file.getFD().sync();
            return file.length();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a marker into " + volume.id(), e);
        }
    }

    @Override
    public Optional<String> readMarker(VolumeRef volume) {
        byte[] record = new byte[512];
        try (var file = new RandomAccessFile(volume.id(), "r")) {
            if (file.length() < OFFSET + record.length) {
                return Optional.empty();
            }
            file.seek(OFFSET);
            file.readFully(record);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the marker of " + volume.id(), e);
        }
        String text = new String(record, StandardCharsets.UTF_8);
        if (!text.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return Optional.of(text.substring(PREFIX.length(), text.indexOf('\n')));
    }
}
