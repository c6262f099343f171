package dev.duplex.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/**
 * Where an invocation's start-up goes: with {@code -Dduplex.internal.debug.startup=true} (for example in
 * {@code DUPLEX_JAVA_OPTS}) each phase prints its milliseconds to stderr, so that a slow command can
 * be measured on the machine where it is slow; otherwise it does nothing.
 */
final class StartupTrace {
    // under duplex.internal: the configuration refuses other duplex.* properties it does not know
    static final String PROPERTY = "duplex.internal.debug.startup";

    private final PrintWriter err;
    private final boolean on;
    private long last = System.nanoTime();
    private long lastCpu;

    StartupTrace(PrintWriter err, boolean on) {
        this.err = err;
        this.on = on;
        if (on) {
            lastCpu = cpuNanos();
            // bin/duplex execs the JVM in its own process: this is the launcher script and the JVM's start
            // (from the kernel's start time of the process, in clock ticks of 10 ms)
            ProcessHandle.current().info().startInstant().ifPresent(start ->
                    print("launcher and JVM to main", Duration.between(start, Instant.now()).toMillis(), -1));
        }
    }

    static StartupTrace fromSystemProperties(PrintWriter err) {
        return new StartupTrace(err, Boolean.getBoolean(PROPERTY));
    }

    /** Ends the phase that ran since the previous one. */
    void phase(String name) {
        if (on) {
            long now = System.nanoTime();
            long cpu = cpuNanos();
            print(name, (now - last) / 1_000_000, (cpu - lastCpu) / 1_000_000);
            last = now;
            lastCpu = cpu;
        }
    }

    /**
     * The main thread's CPU time as well as the wall clock: on a loaded machine the wall clock mostly
     * measures the other processes, the CPU time still what this phase costs.
     */
    private static long cpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private void print(String name, long millis, long cpuMillis) {
        err.printf("duplex: startup %-28s %5d ms%s%n", name, millis, cpuMillis < 0 ? "" : String.format(" (cpu %d ms)", cpuMillis));
        err.flush();
    }
}
