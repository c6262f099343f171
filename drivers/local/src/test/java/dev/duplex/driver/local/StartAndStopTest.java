package dev.duplex.driver.local;

import static dev.duplex.driver.local.LocalVms.await;
import static dev.duplex.driver.local.LocalVms.contains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmStartFailedException;
import dev.duplex.api.VmState;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that reports a VM dying at once, and a stop that returns only when the VM's processes
 * are gone: not running, not a zombie of ours, their locks free.
 */
class StartAndStopTest {
    /** A child of the VM's shell that ignores SIGTERM and records it if it gets one anyway; its pid goes to child.pid. */
    private static final String CHILD_RECORDING_SIGNALS = "sh -c 'trap \"echo got-TERM >> signals\" TERM;"
            + " echo child-ready; while true; do sleep 1; done' & echo $! > child.pid; wait";

    @TempDir
    Path temp;

    private LocalVms local;

    @BeforeEach
    void endpoint() {
        local = new LocalVms(temp);
    }

    @AfterEach
    void stopEverything() {
        local.close();
    }

    @Test
    void startOfVmThatExitsAtOnceFailsNamingTheVmItsExitAndItsConsole() {
        HypervisorDriver driver = local.driver(Map.of());
        StringBuilder command = new StringBuilder();
        for (int i = 1; i <= 25; i++) {
            command.append("echo starting step ").append(i).append("; ");
        }
        command.append("echo 'listen tcp :8080: bind: address already in use' >&2; exit 3");
        VmRef vm = local.vm(driver, local.image(driver, "port-taken", command.toString()), List.of(), Map.of());

        VmStartFailedException failed = assertThrows(VmStartFailedException.class, () -> driver.start(vm));

        String message = failed.getMessage();
        assertTrue(message.contains("VM " + vm.name() + " "), message);
        assertTrue(message.contains("exited with status 3"), message);
        assertTrue(message.contains("address already in use"), "the console's last line is in the one-line message: " + message);
        assertFalse(message.contains("\n"), "one line: " + message);
        assertEquals(Optional.of(3), failed.exitCode());
        assertEquals(VmStartFailedException.CONSOLE_TAIL_LINES, failed.consoleTail().size(), failed.consoleTail().toString());
        assertEquals("listen tcp :8080: bind: address already in use", failed.consoleTail().get(19));
        assertEquals("starting step 7", failed.consoleTail().get(0), "the last 20 lines, oldest first");
        assertEquals(VmState.CRASHED, driver.state(vm), "it did not run; nobody stopped it");
    }

    @Test
    void aConsoleThatWritesTerminalControlsIsQuotedEscapedInTheMessage() {
        // Doubled backslashes: the image's manifest is a properties file, which takes one level away.
        HypervisorDriver driver = local.driver(Map.of());
        VmRef vm = local.vm(driver, local.image(driver, "controls", "printf 'owned\\\\033]0;title\\\\007\\\\033[2J\\\\n'; exit 1"),
                List.of(), Map.of());
        VmStartFailedException failed = assertThrows(VmStartFailedException.class, () -> driver.start(vm));
        assertTrue(failed.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f), failed.getMessage());
        assertTrue(failed.getMessage().contains("owned\\x1b"), failed.getMessage());
        assertEquals("owned\u001b]0;title\u0007\u001b[2J", failed.consoleTail().get(0), "the tail itself is as printed");
    }

    @Test
    void startWatchesOnlyForTheSettleTimeAndTheSettingIsChecked() throws Exception {
        HypervisorDriver quick = local.driver(Map.of("start-settle-ms", "0"));
        VmRef vm = local.vm(quick, local.image(quick, "dies-soon", "sleep 1; exit 4"), List.of(), Map.of());
        quick.start(vm); // no settle time: nothing to see yet
        await("the VM died unasked", () -> quick.state(vm) == VmState.CRASHED);

        HypervisorDriver patient = local.driver(Map.of("start-settle-ms", "3000"));
        long started = System.nanoTime();
        VmStartFailedException failed = assertThrows(VmStartFailedException.class, () -> patient.start(vm));
        assertEquals(Optional.of(4), failed.exitCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 2900,
                "a VM that dies ends the settle time early");

        for (String bad : List.of("-1", "soon", "1e3", "300ms", "")) {
            InvalidSpecException refused = assertThrows(InvalidSpecException.class,
                    () -> local.driver(Map.of("start-settle-ms", bad)), bad);
            assertTrue(refused.getMessage().contains("start-settle-ms"), refused.getMessage());
        }
    }

    @Test
    void vmStartedAtOnceAfterAFailedStartFindsNoLeftoverOfIt() throws Exception {
        HypervisorDriver driver = local.driver(Map.of());
        // The main process dies at once, leaving a child behind that would keep a port or a lock.
        VmRef vm = local.vm(driver, local.image(driver, "leaves-a-child", "sleep 600 & echo $! > child.pid; exit 5"),
                List.of(), Map.of());
        assertThrows(VmStartFailedException.class, () -> driver.start(vm));
        long child = Long.parseLong(Files.readString(local.folder(vm).root().resolve("child.pid")).trim());
        assertTrue(goneOrZombieOfAnother(child), "the failed start's child is gone: " + ProcessStat.of(child));
    }

    @Test
    void gracefulStopSignalsTheMainProcessAloneThenKillsTheRest() throws Exception {
        HypervisorDriver driver = local.driver(Map.of("stop-grace-ms", "1500"));
        VmRef vm = local.vm(driver, local.image(driver, "with-child", CHILD_RECORDING_SIGNALS), List.of(), Map.of());
        driver.start(vm);
        Path root = local.folder(vm).root();
        await("the child traps SIGTERM", () -> contains(local.folder(vm).console(), "child-ready"));
        VmProcess main = local.folder(vm).process().orElseThrow();
        long child = Long.parseLong(Files.readString(root.resolve("child.pid")).trim());

        long started = System.nanoTime();
        driver.stop(vm, StopMode.GRACEFUL);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // The child would have written within a second of a SIGTERM (its trap runs after each sleep 1).
        assertFalse(Files.exists(root.resolve("signals")), "the child got no SIGTERM from the stop; it recorded: "
                + (Files.exists(root.resolve("signals")) ? Files.readString(root.resolve("signals")) : ""));
        assertTrue(took.toMillis() >= 1500, "the child outlived the main process until the grace period ended: " + took);
        assertTrue(ProcessStat.of(main.pid()).isEmpty(), "the main process is reaped: " + ProcessStat.of(main.pid()));
        assertTrue(goneOrZombieOfAnother(child), "the child is gone: " + ProcessStat.of(child));
        assertEquals(VmState.STOPPED, driver.state(vm));
    }

    @Test
    void forcedStopReturnsOnlyWhenTheMainProcessAndItsChildAreGone() throws Exception {
        HypervisorDriver driver = local.driver(Map.of("stop-grace-ms", "5000"));
        VmRef vm = local.vm(driver, local.image(driver, "with-child", CHILD_RECORDING_SIGNALS), List.of(), Map.of());
        driver.start(vm);
        await("the child traps SIGTERM", () -> contains(local.folder(vm).console(), "child-ready"));
        VmProcess main = local.folder(vm).process().orElseThrow();
        long child = Long.parseLong(Files.readString(local.folder(vm).root().resolve("child.pid")).trim());

        driver.stop(vm, StopMode.FORCE);

        // Checked at once, no polling: /proc no longer shows the main process, not even as a zombie.
        assertTrue(ProcessStat.of(main.pid()).isEmpty(), "the main process is reaped: " + ProcessStat.of(main.pid()));
        assertTrue(goneOrZombieOfAnother(child), "the child is gone: " + ProcessStat.of(child));
        assertFalse(ProcessStat.groupHasMembers(main.pid()), "nothing of the group runs");
    }

    @Test
    void lockHeldByTheVmsChildIsFreeTheMomentStopReturns() throws Exception {
        for (StopMode mode : StopMode.values()) {
            HypervisorDriver driver = local.driver(Map.of("stop-grace-ms", "300"));
            Path lock = temp.resolve("postmaster-" + mode + ".lock");
            // Like a database under a shell: the shell's child holds the lock, the shell waits for it.
            VmRef vm = local.vm(driver, local.image(driver, "locker-" + mode,
                    "flock \"$LOCK\" sh -c 'echo locked; exec sleep 600' & wait"), List.of(), Map.of("env.LOCK", lock.toString()));
            driver.start(vm);
            await("the VM holds the lock", () -> contains(local.folder(vm).console(), "locked"));
            assertEquals(1, tryLock(lock), "control: the lock is held while the VM runs (" + mode + ")");

            driver.stop(vm, mode);

            assertEquals(0, tryLock(lock), "the lock is free as soon as the " + mode + " stop returned");
        }
    }

    @Test
    void stopOfACrashedVmEndsTheChildItLeftBehind() throws Exception {
        HypervisorDriver driver = local.driver(Map.of());
        VmRef vm = local.vm(driver, local.image(driver, "orphaning",
                "sleep 600 & echo $! > child.pid; sleep 1; exit 1"), List.of(), Map.of());
        driver.start(vm);
        await("the main process died", () -> driver.state(vm) == VmState.CRASHED);
        long child = Long.parseLong(Files.readString(local.folder(vm).root().resolve("child.pid")).trim());
        assertTrue(ProcessStat.of(child).map(ProcessStat::running).orElse(false), "control: the child still runs");

        driver.stop(vm, StopMode.GRACEFUL);

        assertTrue(goneOrZombieOfAnother(child), "the child is gone: " + ProcessStat.of(child));
    }

    /** {@code flock -n}'s exit status: 0 when the lock was free, 1 when someone holds it. */
    private static int tryLock(Path lock) throws Exception {
        return new ProcessBuilder("flock", "-n", lock.toString(), "true").redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /**
     * Gone, or a zombie some other parent (init) has yet to reap: it has exited, its files and locks
     * are released, and reaping it is not ours to do.
     */
    private static boolean goneOrZombieOfAnother(long pid) {
        Optional<ProcessStat> stat = ProcessStat.of(pid);
        return stat.isEmpty() || (!stat.get().running() && stat.get().parent() != ProcessHandle.current().pid());
    }
}
