package dev.duplex.driver.local;

import dev.duplex.api.VolumeRef;
import dev.duplex.driver.tck.VolumeProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads and writes a marker file in a local volume's {@code data/} folder, beside the driver. */
final class MarkerProbe implements VolumeProbe {
    private static final String MARKER_FILE = "duplex-tck-marker";

    private final Path state;

    MarkerProbe(Path state) {
        this.state = state;
    }

    @Override
    public long writeMarker(VolumeRef volume, String marker) {
        Path data = state.resolve("volumes").resolve(volume.id()).resolve("data");
        try {
            Files.writeString(data.resolve(MARKER_FILE), marker);
            return TreeCopy.size(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<String> readMarker(VolumeRef volume) {
        Path file = state.resolve("volumes").resolve(volume.id()).resolve("data").resolve(MARKER_FILE);
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
