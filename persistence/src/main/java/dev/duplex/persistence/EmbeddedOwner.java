package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * Who started the embedded PostgreSQL, as recorded in {@code <home>/db/owner.properties}.
 *
 * @param startedByPid the Duplex process that started it
 * @param startedByCommand that process's command, as far as the OS tells
 * @param postmasterPid the PostgreSQL server process
 * @param port its port, which names its Unix socket (it listens on no TCP port)
 * @param startedAt when it was started
 * @param generation which Duplex build started it and how ({@link #CURRENT}); empty when an older
 *     Duplex did, which recorded none
 */
public record EmbeddedOwner(long startedByPid, String startedByCommand, long postmasterPid, int port, Instant startedAt,
        String generation) {
    static final String FILE_NAME = "owner.properties";
    /**
     * The build of Duplex that runs the embedded server and the way it runs it. A server left up by
     * another build is restarted by the next process that finds it unused, so that no server
     * outlives the binaries and settings of the Duplex that started it.
     */
    static final String CURRENT = "lifecycle-2 " + build();

    public EmbeddedOwner {
        requireNonNull(startedByCommand, "startedByCommand is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(generation, "generation is null");
    }

    /** The persistence jar's version and time stamp (a rebuilt snapshot is another build); "classes" when run from a folder. */
    private static String build() {
        String version = java.util.Objects.requireNonNullElse(EmbeddedOwner.class.getPackage().getImplementationVersion(), "dev");
        try {
            Path location = Path.of(EmbeddedOwner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return version + (Files.isRegularFile(location) ? " " + Files.getLastModifiedTime(location).toMillis() : " classes");
        } catch (Exception e) {
            return version;
        }
    }

    /** True while the process that started the server still runs. */
    public boolean starterAlive() {
        return ProcessHandle.of(startedByPid).map(ProcessHandle::isAlive).orElse(false);
    }

    void write(Path folder) {
        Properties properties = new Properties();
        properties.setProperty("started-by-pid", Long.toString(startedByPid));
        properties.setProperty("started-by-command", startedByCommand);
        properties.setProperty("postmaster-pid", Long.toString(postmasterPid));
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("started-at", startedAt.toString());
        properties.setProperty("generation", generation);
        try {
            java.io.StringWriter writer = new java.io.StringWriter();
            properties.store(writer, "The Duplex process that started this embedded PostgreSQL");
            PrivateFiles.write(folder.resolve(FILE_NAME), writer.toString());
        } catch (IOException e) {
            throw new DatabaseException("Cannot write " + folder.resolve(FILE_NAME) + ": " + e.getMessage(), e);
        }
    }

    static Optional<EmbeddedOwner> read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
            return Optional.of(new EmbeddedOwner(
                    Long.parseLong(properties.getProperty("started-by-pid", "-1")),
                    properties.getProperty("started-by-command", "?"),
                    Long.parseLong(properties.getProperty("postmaster-pid", "-1")),
                    Integer.parseInt(properties.getProperty("port", "-1")),
                    Instant.parse(properties.getProperty("started-at", Instant.EPOCH.toString())),
                    properties.getProperty("generation", "")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static void delete(Path folder) {
        try {
            Files.deleteIfExists(folder.resolve(FILE_NAME));
        } catch (IOException e) {
            // a stale owner file is ignored on the next start: its postmaster is checked first
        }
    }
}
