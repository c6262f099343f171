package dev.duplex.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL under {@code <home>/db}, shared by every Duplex process on the machine.
 *
 * <p><b>How processes share it.</b> PostgreSQL is started through {@code pg_ctl}, which runs the
 * server as a daemon, and without zonky's JVM shutdown hook, so the server does not die with the
 * process that started it. Each process that uses the server holds a {@link Lease} (a locked
 * file the OS releases when the process ends, however it ends). Start, join and stop decisions
 * are made under one exclusive {@link FolderLock}:
 * <ul>
 *   <li>start: if a postmaster runs on the data folder (its pid lives and its port answers), join
 *       it; otherwise start one and record the starter in {@code owner.properties};</li>
 *   <li>close: drop our lease; the last process holding a lease stops the server.</li>
 * </ul>
 * So a CLI command run while the server or {@code duplex demo} runs just connects, the server
 * survives whichever process started it, and it stops when the last user exits. A crashed process
 * leaves the server running; the next process joins it and stops it when it exits.
 */
final class EmbeddedServer implements AutoCloseable {
    static final String DATABASE = "duplex";
    static final String USER = "postgres";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(120);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /** Unix socket paths are limited to 107 bytes; beyond that we listen on TCP only. */
    private static final int MAX_SOCKET_FOLDER = 80;

    private final Path folder;
    private final Postmaster postmaster;
    private final EmbeddedOwner owner;
    private final Lease lease;
    private final Optional<EmbeddedPostgres> startedHere;

    private EmbeddedServer(Path folder, Postmaster postmaster, EmbeddedOwner owner, Lease lease, Optional<EmbeddedPostgres> startedHere) {
        this.folder = folder;
        this.postmaster = postmaster;
        this.owner = owner;
        this.lease = lease;
        this.startedHere = startedHere;
    }

    /** Joins the embedded server running under {@code folder}, or starts it. */
    static EmbeddedServer startOrJoin(Path folder) {
        try {
            Files.createDirectories(folder);
            try (FolderLock folderLock = FolderLock.acquire(folder.resolve("owner.lock"), LOCK_WAIT)) {
                folderLock.held();
                Lease lease = Lease.take(leases(folder));
                EmbeddedPostgres started = null;
                try {
                    Optional<Postmaster> running = Postmaster.running(data(folder));
                    EmbeddedOwner owner;
                    Postmaster postmaster;
                    if (running.isPresent()) {
                        postmaster = running.get();
                        owner = EmbeddedOwner.read(folder).filter(o -> o.postmasterPid() == postmaster.pid())
                                .orElse(new EmbeddedOwner(-1, "unknown (owner.properties is missing)", postmaster.pid(), postmaster.port(), Instant.EPOCH));
                        log.info("Joining the embedded PostgreSQL on port {} (pid {}) started by process {}",
                                postmaster.port(), postmaster.pid(), owner.startedByPid());
                    } else {
                        started = start(folder);
                        postmaster = Postmaster.running(data(folder)).orElseThrow(() -> new DatabaseException(
                                "The embedded PostgreSQL started but its postmaster.pid names no live server; see "
                                        + folder.resolve("postgres.log"), null));
                        ProcessHandle self = ProcessHandle.current();
                        owner = new EmbeddedOwner(self.pid(), self.info().command().orElse("?"), postmaster.pid(),
                                postmaster.port(), Instant.now());
                        owner.write(folder);
                        log.info("Started the embedded PostgreSQL on port {} (pid {}), data in {}", postmaster.port(),
                                postmaster.pid(), data(folder));
                    }
                    createDatabase(postmaster.port());
                    return new EmbeddedServer(folder, postmaster, owner, lease, Optional.ofNullable(started));
                } catch (RuntimeException | IOException e) {
                    lease.close();
                    if (started != null) {
                        started.close();
                        EmbeddedOwner.delete(folder);
                    }
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new DatabaseException("Cannot start the embedded PostgreSQL in " + folder + ": " + SqlErrors.firstLine(e.getMessage())
                    + "; see " + folder.resolve("postgres.log"), e);
        }
    }

    private static EmbeddedPostgres start(Path folder) throws IOException {
        Path socketFolder = folder.resolve("run");
        Files.createDirectories(socketFolder);
        Files.createDirectories(folder.resolve("bin"));
        String socketPath = socketFolder.toString();
        boolean socketUsable = socketPath.length() <= MAX_SOCKET_FOLDER && socketPath.chars().noneMatch(Character::isWhitespace);
        Redirect logFile = Redirect.appendTo(folder.resolve("postgres.log").toFile());
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(data(folder))
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setOverrideWorkingDirectory(folder.resolve("bin").toFile())
                    .setServerConfig("unix_socket_directories", socketUsable ? socketPath : "")
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "100")
                    .setOutputRedirector(logFile)
                    .setErrorRedirector(logFile)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void createDatabase(int port) throws IOException {
        try (Connection connection = DriverManager.getConnection(adminUrl(port), USER, "");
                Statement statement = connection.createStatement()) {
            boolean exists;
            try (var rows = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                exists = rows.next();
            }
            if (!exists) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IOException("cannot create the " + DATABASE + " database: " + e.getMessage(), e);
        }
    }

    static String adminUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    /** The JDBC URL of the Duplex database; no secret in it (local trust authentication). */
    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postmaster.port() + "/" + DATABASE;
    }

    EmbeddedServerStatus status() {
        int users;
        try {
            users = Lease.holders(leases(folder));
        } catch (IOException e) {
            users = -1;
        }
        return new EmbeddedServerStatus(postmaster.pid(), postmaster.port(), data(folder), owner,
                startedHere.isPresent(), users);
    }

    /** Drops this process's lease; the last process to leave stops the server. */
    @Override
    public void close() {
        try (FolderLock folderLock = FolderLock.acquire(folder.resolve("owner.lock"), LOCK_WAIT)) {
            folderLock.held();
            lease.close();
            int others = Lease.holders(leases(folder));
            if (others > 0) {
                log.info("Leaving the embedded PostgreSQL running for {} other Duplex process(es)", others);
                return;
            }
            stop(folder, postmaster, startedHere);
        } catch (IOException e) {
            throw new DatabaseException("Cannot stop the embedded PostgreSQL in " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops the embedded server under {@code folder} whoever uses it ({@code duplex db stop}).
     * Returns false when none runs.
     */
    static boolean stop(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (FolderLock folderLock = FolderLock.acquire(folder.resolve("owner.lock"), LOCK_WAIT)) {
            folderLock.held();
            Optional<Postmaster> running = Postmaster.running(data(folder));
            if (running.isEmpty()) {
                EmbeddedOwner.delete(folder);
                return false;
            }
            stop(folder, running.get(), Optional.empty());
            return true;
        } catch (IOException e) {
            throw new DatabaseException("Cannot stop the embedded PostgreSQL in " + folder + ": " + e.getMessage(), e);
        }
    }

    private static void stop(Path folder, Postmaster postmaster, Optional<EmbeddedPostgres> startedHere) throws IOException {
        log.info("Stopping the embedded PostgreSQL (pid {}, port {})", postmaster.pid(), postmaster.port());
        if (startedHere.isPresent()) {
            startedHere.get().close(); // pg_ctl stop -m fast, and releases zonky's lock on the data folder
        }
        if (postmaster.alive()) {
            postmaster.stopFast(STOP_WAIT);
        }
        EmbeddedOwner.delete(folder);
    }

    static Path data(Path folder) {
        return folder.resolve("data");
    }

    private static Path leases(Path folder) {
        return folder.resolve("leases");
    }
}
