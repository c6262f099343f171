package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL between commands, with real processes: it stays up after the last
 * command so that the next one joins it, the idle watcher stops it once unused for the idle time
 * (also after a command was killed with kill -9 while using it), {@code duplex db stop} refuses
 * while a command uses it, and a server another Duplex build started is replaced once unused.
 */
class EmbeddedIdleStopTest {
    /** Generous: a first start unpacks and initialises PostgreSQL, minutes on a loaded machine. */
    private static final Duration WAIT = Duration.ofMinutes(5);
    private Path home;

    @BeforeEach
    void freshHome() throws IOException {
        Files.createDirectories(Path.of("target"));
        home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "idle-");
    }

    @AfterEach
    void stopWhatIsLeft() {
        Database.stopEmbedded(home);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private boolean watcherRunning() {
        try {
            return IdleWatch.running(home.toRealPath().resolve("db"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs one short command in its own JVM, as {@code duplex vm list} would; returns its STATUS fields. */
    private String[] command(String idleStop) throws Exception {
        try (ChildJvm child = ChildJvm.start(EmbeddedUserMain.class, home.toString(), "write", idleStop)) {
            String[] status = child.awaitLine("STATUS", WAIT).split(" ");
            child.awaitLine("LEFT", WAIT);
            assertEquals(0, child.awaitExit(WAIT));
            return status;
        }
    }

    @Test
    void theNextCommandFindsTheServerUpAndJoinsItUntilTheIdleTimeStopsIt() throws Exception {
        String[] first = command("PT8S");
        long postmaster = Long.parseLong(first[2]);
        assertEquals("true", first[4], "the first command started it");
        assertTrue(alive(postmaster), "the server outlives the last command");

        String[] second = command("PT8S");
        assertEquals(postmaster, Long.parseLong(second[2]), "the next command joined the same server");
        assertEquals("false", second[4], "and did not start one");

        EmbeddedServerStatus idle = Database.embeddedServer(home).orElseThrow();
        assertEquals(0, idle.users());
        assertEquals(Duration.ofSeconds(8), idle.idleStop());
        Instant stopsAt = idle.stopsAt().orElseThrow(() -> new AssertionError("an idle server tells when it stops"));
        assertTrue(stopsAt.isAfter(Instant.now()) && stopsAt.isBefore(Instant.now().plusSeconds(9)), stopsAt.toString());
        assertTrue(watcherRunning());

        await("the idle watcher stops the server", WAIT, () -> !alive(postmaster));
        assertTrue(Database.embeddedServer(home).isEmpty());
        assertFalse(Files.exists(home.resolve("db").resolve(EmbeddedOwner.FILE_NAME)));
        await("the watcher exits with its server", Duration.ofSeconds(30), () -> !watcherRunning());
    }

    @Test
    void theWatcherPutsNoFileBackIntoAHomeBeingDeleted() throws Exception {
        command("PT10M");
        Path db = home.toRealPath().resolve("db");
        ProcessHandle watcher = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> java.util.Arrays.asList(a).contains(db.toString())).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no idle watcher runs for " + db));

        // What a test's temporary folder sees when it is removed right after 'db stop --force': the
        // server stops, then its files go one by one, the lock file among the first.
        Database.stopEmbedded(home);
        Files.delete(db.resolve("owner.lock"));
        watcher.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertFalse(Files.exists(db.resolve("owner.lock")), "the watcher created the lock file again on its way out");
    }

    @Test
    void twoCommandsAtOnceShareOneServerThatStaysUpAfterBoth() throws Exception {
        try (ChildJvm a = ChildJvm.start(EmbeddedUserMain.class, home.toString(), "wait", "PT5M");
                ChildJvm b = ChildJvm.start(EmbeddedUserMain.class, home.toString(), "wait", "PT5M")) {
            String[] statusA = a.awaitLine("STATUS", WAIT).split(" ");
            String[] statusB = b.awaitLine("STATUS", WAIT).split(" ");
            assertEquals(statusA[2], statusB[2], "one postmaster for both");
            assertEquals(1, (statusA[4].equals("true") ? 1 : 0) + (statusB[4].equals("true") ? 1 : 0), "exactly one of them started it");
            assertEquals(2, Database.embeddedServer(home).orElseThrow().users());
            a.send("leave");
            b.send("leave");
            assertEquals(0, a.awaitExit(WAIT));
            assertEquals(0, b.awaitExit(WAIT));
            long postmaster = Long.parseLong(statusA[2]);
            assertTrue(alive(postmaster), "up for the next command");
            assertEquals(0, Database.embeddedServer(home).orElseThrow().users());
            assertTrue(Database.stopEmbeddedWhenUnused(home), "duplex db stop stops an unused server");
            assertFalse(alive(postmaster));
            assertFalse(Database.stopEmbeddedWhenUnused(home), "nothing left to stop");
        }
    }

    @Test
    void aCommandKilledWhileUsingTheServerLeavesItIdleAndTheWatcherStopsIt() throws Exception {
        long postmaster;
        try (ChildJvm command = ChildJvm.start(EmbeddedUserMain.class, home.toString(), "wait", "PT4S")) {
            postmaster = Long.parseLong(command.awaitLine("STATUS", WAIT).split(" ")[2]);
            Thread.sleep(6_000); // longer than the idle time: a lease held is use, however long
            assertTrue(alive(postmaster), "not stopped under a command that holds it");
            assertEquals(1, Database.embeddedServer(home).orElseThrow().users());
            command.kill();
        }
        assertTrue(alive(postmaster), "kill -9 of the command does not take the server with it");
        await("the watcher stops the server the killed command left", WAIT, () -> !alive(postmaster));
        String[] next = command("PT0S");
        assertEquals("true", next[4], "the next command starts a fresh server");
        assertFalse(alive(Long.parseLong(next[2])), "an idle time of zero stops it with the last user");
    }

    @Test
    void dbStopRefusesWhileACommandUsesTheServerAndNamesIt() throws Exception {
        try (ChildJvm command = ChildJvm.start(EmbeddedUserMain.class, home.toString(), "wait", "PT5M")) {
            long postmaster = Long.parseLong(command.awaitLine("STATUS", WAIT).split(" ")[2]);
            DatabaseInUseException e = assertThrows(DatabaseInUseException.class, () -> Database.stopEmbeddedWhenUnused(home));
            assertTrue(e.getMessage().contains("pid " + command.pid()) && e.getMessage().contains("--force"), e.getMessage());
            assertTrue(alive(postmaster));
            command.send("leave");
            assertEquals(0, command.awaitExit(WAIT));
            assertTrue(Database.stopEmbeddedWhenUnused(home));
            assertFalse(alive(postmaster));
        }
    }

    @Test
    void aServerAnotherDuplexBuildStartedIsReplacedOnceUnusedAndJoinedWhileUsed() throws Exception {
        long old = Long.parseLong(command("PT5M")[2]);
        Path owner = home.toRealPath().resolve("db").resolve(EmbeddedOwner.FILE_NAME);
        Files.writeString(owner, Files.readString(owner).replaceAll("(?m)^generation=.*$", "generation=lifecycle-1 0.0.9"));

        try (ChildJvm user = ChildJvm.start(EmbeddedUserMain.class, home.toString(), "wait", "PT5M")) {
            String[] status = user.awaitLine("STATUS", WAIT).split(" ");
            long replaced = Long.parseLong(status[2]);
            assertTrue(replaced != old && !alive(old), "the unused old server was stopped and a fresh one started");
            assertEquals("true", status[4]);

            Files.writeString(owner, Files.readString(owner).replaceAll("(?m)^generation=.*$", "generation=lifecycle-1 0.0.9"));
            try (Database joined = Database.start(DatabaseConfig.embedded(home))) {
                assertEquals(replaced, joined.status().server().orElseThrow().postmasterPid(), "not restarted under a user");
            }
            user.send("leave");
            assertEquals(0, user.awaitExit(WAIT));
        }
    }
}
