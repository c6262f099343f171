package dev.duplex.driver.local;

import dev.duplex.api.ObjectId;
import dev.duplex.api.PlatformException;
import dev.duplex.api.StopMode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Ends a VM's processes and returns only once they are gone: none of its process group still
 * runs, and none is a zombie left for us to reap.
 *
 * <p>A graceful stop sends SIGTERM to the VM's main process alone: a database such as PostgreSQL
 * shuts its helpers down itself and its documentation warns against signalling the whole group.
 * Whatever of the group is left after the grace period gets SIGKILL, all at once.
 *
 * <p>"Gone" includes reaped. The JVM that started a VM is its parent and the JDK reaps it at once
 * ({@link VmProcess}); a zombie whose parent is another process (init, after the JVM that started
 * the VM exited, or for the VM's own children) is that parent's to reap: we give it
 * {@link #REAP_PATIENCE} to do so and then count the zombie as gone, since the kernel has already
 * closed its files and released its locks and ports. On a host whose init never reaps, such a
 * pid stays visible; that is the host's fault and outside what a driver can fix.
 */
final class VmTermination {
    /** How long the group may take to vanish after SIGKILL before we call it a platform error. */
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    /** How long we wait for another parent (init) to reap the group's zombies. */
    static final Duration REAP_PATIENCE = Duration.ofMillis(500);

    private final long self = ProcessHandle.current().pid();

    /** Stops {@code vm}'s processes per {@code mode}; a graceful stop waits {@code grace} before forcing. */
    void end(VmProcess vm, StopMode mode, Duration grace, ObjectId object) throws IOException {
        if (ProcessStat.of(vm.pid()).filter(s -> s.startTime() != vm.startTime()).isPresent()) {
            // Linux gives out a pid again only once no process group uses it as its id: the VM's group
            // is long gone, and this group, if any, is someone else's.
            return;
        }
        if (mode == StopMode.GRACEFUL && vm.alive()) {
            signal(vm, () -> vm.signalMain("TERM"));
            if (awaitGone(vm, grace)) {
                return;
            }
        }
        if (remaining(vm, true).isEmpty()) {
            return;
        }
        signal(vm, () -> vm.signalGroup("KILL"));
        if (!awaitGone(vm, KILL_TIMEOUT)) {
            List<ProcessStat> left = remaining(vm, false);
            throw new PlatformException("Process(es) " + describe(left) + " of VM " + object + " (group " + vm.pid()
                    + ") are still there " + KILL_TIMEOUT.toSeconds() + " s after SIGKILL; the VM's files and ports may"
                    + " still be held: find out what keeps them (a process in uninterruptible I/O: ps -o pid,stat,wchan),"
                    + " then stop the VM again", object);
        }
    }

    /**
     * The members of the group that keep the VM from being gone: those running, and zombies we
     * must reap; with {@code strict}, zombies that another parent has yet to reap too.
     */
    List<ProcessStat> remaining(VmProcess vm, boolean strict) {
        return ProcessStat.members(vm.pid()).stream()
                .filter(s -> s.running() || s.parent() == self || strict)
                .toList();
    }

    private boolean awaitGone(VmProcess vm, Duration timeout) throws IOException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        while (true) {
            boolean othersToReap = !remaining(vm, true).isEmpty();
            if (!othersToReap) {
                return true;
            }
            // Zombies of another parent alone: give it a moment to reap them, then they count as gone.
            if (remaining(vm, false).isEmpty() && System.nanoTime() - started >= REAP_PATIENCE.toNanos()) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            VmProcess.pause();
        }
    }

    @FunctionalInterface
    private interface Signal {
        void send() throws IOException;
    }

    private void signal(VmProcess vm, Signal signal) throws IOException {
        try {
            signal.send();
        } catch (IOException e) {
            // kill fails when its target vanished between our check and the signal: that is success.
            if (!remaining(vm, false).isEmpty()) {
                throw e;
            }
        }
    }

    private static String describe(List<ProcessStat> processes) {
        return processes.stream().map(p -> p.pid() + " (state " + p.state() + ", parent " + p.parent() + ")")
                .collect(Collectors.joining(", "));
    }
}
