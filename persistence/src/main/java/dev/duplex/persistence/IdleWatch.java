package dev.duplex.persistence;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The process that stops the embedded PostgreSQL once no Duplex process has used it for
 * {@code duplex.db.idle-stop}.
 *
 * <p>Why a process of its own: PostgreSQL has no idle shutdown of its own, and a server stopped
 * only by "the next command that finds it idle" would run for ever after the last command of the
 * day. The watcher is a small JVM started (detached, in its own session so that Ctrl-C of the
 * command does not reach it) by the process that starts the server, and again by any process
 * that leaves the server unused and finds no watcher. It holds {@code db/idle-watch.lock} for its
 * whole life, so there is at most one, and it decides under the same {@link FolderLock} as every
 * start, join and stop: it stops the server only while no {@link Lease} is held, so it never stops
 * a server under a running command. A command killed with {@code kill -9} loses its lease with its
 * life; the watcher counts the idle time from the moment it last saw a lease held. It exits when
 * the server is gone, whoever stopped it.
 */
public final class IdleWatch {
    static final String LOCK_FILE = "idle-watch.lock";
    static final String LOG_FILE = "idle-watch.log";
    /** Used when idle.properties is missing (a command was killed before it wrote one). */
    private static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(120);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private IdleWatch() {}

    /** Runs the watcher on the db folder given as the only argument, until the server is gone. */
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        try (FileChannel channel = FileChannel.open(folder.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PrivateFiles.fileMode())) {
            FileLock watching = channel.tryLock();
            if (watching == null) {
                return; // another watcher runs
            }
            say("watching " + folder);
            watch(folder, watching);
            say("done");
        }
    }

    private static void watch(Path folder, FileLock watching) throws IOException, InterruptedException {
        Instant lastBusy = Instant.now();
        Duration pause = Duration.ofSeconds(1);
        Optional<Postmaster> lastSeen = Optional.empty();
        while (true) {
            Thread.sleep(pause.toMillis());
            if (!Files.isDirectory(folder)) {
                // the home was deleted under a running server (a test's temporary folder): stop what it left
                stopOrphan(lastSeen);
                return;
            }
            Optional<FolderLock> locked = FolderLock.acquireExisting(folder.resolve("owner.lock"), LOCK_WAIT);
            if (locked.isEmpty()) {
                // the lock file is gone: the home is being deleted (a test's temporary folder); creating
                // the file again would leave the folder undeletable under the one deleting it
                stopOrphan(lastSeen);
                return;
            }
            try (FolderLock folderLock = locked.get()) {
                folderLock.held();
                Optional<Postmaster> server = Postmaster.recorded(EmbeddedServer.data(folder));
                if (server.isEmpty()) {
                    stopOrphan(lastSeen);
                    // released before the folder lock, so that a server started next gets a watcher of its own
                    watching.release();
                    say("the embedded PostgreSQL is gone");
                    return;
                }
                lastSeen = server;
                Instant now = Instant.now();
                if (Lease.holders(EmbeddedServer.leases(folder)) > 0) {
                    lastBusy = now;
                    pause = Duration.ofSeconds(2);
                    continue;
                }
                IdleDeadline deadline = IdleDeadline.read(folder).orElse(new IdleDeadline(lastBusy, DEFAULT_IDLE));
                Instant stopsAt = latest(deadline.lastUsed(), lastBusy).plus(deadline.idleStop());
                if (!now.isBefore(stopsAt)) {
                    say("stopping the embedded PostgreSQL (pid " + server.get().pid() + "): unused since "
                            + latest(deadline.lastUsed(), lastBusy) + ", idle-stop " + deadline.idleStop());
                    server.get().stopFast(STOP_WAIT);
                    EmbeddedOwner.delete(folder);
                    IdleDeadline.delete(folder);
                    watching.release();
                    return;
                }
                pause = clamp(Duration.between(now, stopsAt), Duration.ofMillis(200), Duration.ofSeconds(15));
            } catch (DatabaseException e) {
                say(e.getMessage());
                pause = Duration.ofSeconds(5);
            }
        }
    }

    /** A server whose postmaster.pid vanished (its data folder deleted) but whose process still runs would run for ever. */
    private static void stopOrphan(Optional<Postmaster> lastSeen) {
        lastSeen.filter(Postmaster::alive)
                .filter(p -> ProcessHandle.of(p.pid()).flatMap(h -> h.info().command()).map(c -> c.endsWith("/postgres")).orElse(false))
                .ifPresent(p -> {
                    say("stopping the embedded PostgreSQL (pid " + p.pid() + ") whose data folder is gone");
                    try {
                        p.stopFast(STOP_WAIT);
                    } catch (DatabaseException e) {
                        say(e.getMessage());
                    }
                });
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }

    private static void say(String message) {
        System.err.println(Instant.now() + " idle-watch[" + ProcessHandle.current().pid() + "] " + message);
    }

    /** True while a watcher holds the folder's watch lock. The caller holds the {@link FolderLock}. */
    static boolean running(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PrivateFiles.fileMode())) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this very JVM watches (tests)
        }
    }

    /**
     * Starts a watcher on {@code folder} unless one runs; it outlives this process. A watcher that
     * cannot start is logged, not fatal: the server then stays up until {@code duplex db stop} or
     * the next command's exit starts one.
     */
    static void ensureRunning(Path folder) {
        try {
            if (running(folder)) {
                return;
            }
            Path log = folder.resolve(LOG_FILE);
            PrivateFiles.touch(log);
            List<String> command = new ArrayList<>();
            Path setsid = Path.of("/usr/bin/setsid");
            if (Files.isExecutable(setsid)) {
                command.add(setsid.toString()); // its own session: the terminal's Ctrl-C goes to the command only
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx24m", "-Xss512k",
                    "-cp", System.getProperty("java.class.path"), IdleWatch.class.getName(), folder.toString()));
            new ProcessBuilder(command).redirectInput(Redirect.from(new File("/dev/null")))
                    .redirectOutput(Redirect.appendTo(log.toFile())).redirectErrorStream(true).start();
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(IdleWatch.class).warn("Cannot start the idle watcher of the embedded PostgreSQL in {}: {}; "
                    + "it stays up until 'duplex db stop'", folder, e.toString());
        }
    }
}
