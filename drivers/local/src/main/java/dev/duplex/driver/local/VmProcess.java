package dev.duplex.driver.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process of a running local VM, identified by its pid and its start time so that a new
 * driver (after the orchestrator crashed) finds it again and never takes a recycled pid for it.
 *
 * <p>The process is started through {@code setsid} without {@code -f}: the JVM's child is not a
 * process group leader, so setsid makes it one in a session of its own and execs the VM's command
 * in place, without forking (pgid = pid). So the JVM that started a VM is its parent and reaps it
 * the moment it exits (the JDK waits on every process it starts): a killed VM never lingers as a
 * zombie whose pid still answers {@code kill -0} (PostgreSQL takes such a pid in its
 * {@code postmaster.pid} for a live postmaster and refuses to start). The VM still outlives the
 * JVM: it is in its own session, and when the JVM exits it is re-parented to init (or the nearest
 * subreaper), which then reaps it. A stop can signal the main process alone or the whole group.
 *
 * @param pid the pid of the VM's process, also its process group id
 * @param startTime its start time from {@code /proc/<pid>/stat} field 22
 */
record VmProcess(long pid, long startTime) {
    /**
     * Runs in the new session: records its own pid and start time (before exec, so the record
     * exists as soon as the process does), then becomes the VM's command. $1 = record file, $2 = command.
     */
    private static final String LAUNCHER =
            "echo \"$$ $(cut -d' ' -f22 /proc/$$/stat)\" > \"$1.tmp\" && mv -f \"$1.tmp\" \"$1\" && exec /bin/sh -c \"$2\"";
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(10);

    /** Whether this very process (same pid, same start time) still runs. */
    boolean alive() {
        return ProcessStat.of(pid).filter(s -> s.startTime() == startTime && s.running()).isPresent();
    }

    /** Whether any process of the VM's group still runs (a child may outlive the VM's main process). */
    boolean groupAlive() {
        return ProcessStat.groupHasMembers(pid);
    }

    /** Sends {@code signal} ({@code TERM}, {@code KILL}) to the VM's whole process group. */
    void signalGroup(String signal) throws IOException {
        run(List.of("/bin/sh", "-c", "kill -" + signal + " -\"$1\"", "duplex-kill", Long.toString(pid)));
    }

    /** Sends {@code signal} to the VM's main process only; its children are its own business. */
    void signalMain(String signal) throws IOException {
        run(List.of("/bin/sh", "-c", "kill -" + signal + " \"$1\"", "duplex-kill", Long.toString(pid)));
    }

    String recordLine() {
        return pid + " " + startTime + "\n";
    }

    /** Reads a record written by the launcher; empty when there is none. */
    static Optional<VmProcess> read(Path recordFile) throws IOException {
        String line;
        try {
            line = Files.readString(recordFile, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String[] parts = line.split("\\s+");
        if (parts.length != 2) {
            throw new IOException("malformed process record " + recordFile + ": '" + line + "'");
        }
        try {
            return Optional.of(new VmProcess(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
        } catch (NumberFormatException e) {
            throw new IOException("malformed process record " + recordFile + ": '" + line + "'", e);
        }
    }

    /**
     * A VM just launched, with the JVM's handle on its process when the JVM is its parent (empty
     * when setsid had to fork, which it does only for a caller that leads its own process group).
     */
    record Launched(VmProcess process, Optional<Process> child) {}

    /**
     * Starts {@code command} with {@code /bin/sh -c} in {@code root}, stdin from /dev/null and
     * stdout/stderr appended to {@code console}, and waits until its record file exists.
     */
    static Launched launch(Path root, Path console, Path recordFile, String command, Map<String, String> environment)
            throws IOException {
        Files.deleteIfExists(recordFile);
        ProcessBuilder builder = new ProcessBuilder("setsid", "/bin/sh", "-c", LAUNCHER, "duplex-vm",
                recordFile.toString(), command)
                .directory(root.toFile())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .redirectErrorStream(true);
        // A clean environment: the orchestrator's own variables (and any secret in them) stay out of the VM.
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        String lang = env.get("LANG");
        env.clear();
        env.put("PATH", path);
        if (lang != null) {
            env.put("LANG", lang);
        }
        env.putAll(environment);
        Process child = builder.start();
        long deadline = System.nanoTime() + LAUNCH_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<VmProcess> launched = read(recordFile);
            if (launched.isPresent()) {
                VmProcess vm = launched.get();
                return new Launched(vm, vm.pid() == child.pid() ? Optional.of(child) : Optional.empty());
            }
            if (!child.isAlive() && read(recordFile).isEmpty()) {
                throw new IOException("the VM process exited with " + child.exitValue() + " before it recorded its pid in "
                        + recordFile + "; see " + console);
            }
            pause();
        }
        throw new IOException("the VM process did not record its pid in " + recordFile + " within "
                + LAUNCH_TIMEOUT.toSeconds() + " s; see " + console);
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).start();
        waitFor(process, command.get(0));
    }

    private static void waitFor(Process process, String what) throws IOException {
        try {
            byte[] output = process.getInputStream().readAllBytes();
            int code = process.waitFor();
            if (code != 0) {
                throw new IOException(what + " exited with " + code + ": " + new String(output, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, e);
        }
    }

    /** Polling step: short, since starts and stops are usually quick. */
    static void pause() throws IOException {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
