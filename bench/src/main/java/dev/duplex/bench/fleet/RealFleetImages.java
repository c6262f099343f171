package dev.duplex.bench.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The light application's two image folders, {@code v1} and {@code v2}, made at run time from the
 * script in this jar (no binary is checked in): each holds {@code lightapp.py}, a {@code version}
 * file and the local driver's manifest, whose command runs the script with the Python found here.
 * The two differ in their version only.
 */
final class RealFleetImages {
    static final List<String> VERSIONS = List.of("v1", "v2");
    private static final String SCRIPT = "lightapp/lightapp.py";

    private RealFleetImages() {}

    /**
     * The Python 3 the members run: {@code /usr/bin/python3} (Debian's, starts fastest), else the first
     * {@code python3} on the PATH; empty when there is none.
     */
    static Optional<Path> findPython() {
        Path system = Path.of("/usr/bin/python3");
        if (Files.isExecutable(system)) {
            return Optional.of(system);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String folder : path.split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, "python3"))) {
                return Optional.of(Path.of(folder, "python3"));
            }
        }
        return Optional.empty();
    }

    /** Writes {@code outDir/v1} and {@code outDir/v2} (readable by their owner only); returns them in that order. */
    static List<Path> write(Path outDir, Path python) {
        try {
            Files.createDirectories(outDir);
            return VERSIONS.stream().map(version -> image(outDir, version, python)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the light application's images under " + outDir + ": " + e.getMessage(), e);
        }
    }

    private static Path image(Path outDir, String version, Path python) {
        try {
            Path folder = outDir.resolve(version);
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try (InputStream script = RealFleetImages.class.getClassLoader().getResourceAsStream(SCRIPT)) {
                if (script == null) {
                    throw new IOException(SCRIPT + " is missing from the bench jar; rebuild it");
                }
                Files.write(folder.resolve("lightapp.py"), script.readAllBytes());
            }
            Files.writeString(folder.resolve("version"), version + "\n");
            Properties manifest = new Properties();
            manifest.setProperty("version", version);
            // -I: the orchestrator's PYTHON* variables and the user's site folder stay out; the driver starts the VM
            // with a clean environment anyway.
            manifest.setProperty("command", "exec '" + python.toString().replace("'", "'\\''") + "' -I lightapp.py");
            try (OutputStream out = Files.newOutputStream(folder.resolve("duplex-image.properties"))) {
                manifest.store(out, "Duplex real-fleet benchmark: the light application " + version);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write image " + version + " under " + outDir + ": " + e.getMessage(), e);
        }
    }
}
