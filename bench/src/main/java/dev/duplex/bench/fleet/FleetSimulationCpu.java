package dev.duplex.bench.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time used so far by this JVM (the engine, the job queue's client side and the simulated
 * platform) and by the embedded PostgreSQL (its postmaster and every backend, live or ended): on a
 * loaded machine wall time says little, CPU time per step says what the engine and the database cost.
 * Read from {@code /proc}; Linux only, which is where the simulation runs.
 */
final class FleetSimulationCpu {
    private static final long TICKS_PER_SECOND = ticksPerSecond();

    private final Optional<Long> postmaster;

    private FleetSimulationCpu(Optional<Long> postmaster) {
        this.postmaster = postmaster;
    }

    /** The CPU of this JVM and of the PostgreSQL whose data folder lies under {@code home}. */
    static FleetSimulationCpu of(Path home) {
        try (Stream<Path> files = Files.walk(home)) {
            Optional<Long> pid = files.filter(p -> p.getFileName().toString().equals("postmaster.pid")).findFirst()
                    .map(FleetSimulationCpu::firstLine).map(Long::parseLong);
            return new FleetSimulationCpu(pid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {jvm, database} CPU nanoseconds so far; the database's is -1 when its postmaster was not found. */
    long[] nanos() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        return new long[] {jvm, postmaster.map(this::databaseTicks).map(t -> t * 1_000_000_000L / TICKS_PER_SECOND).orElse(-1L)};
    }

    private long databaseTicks(long pid) {
        long ticks = 0;
        List<String> own = stat(pid);
        if (own.isEmpty()) {
            return 0;
        }
        // the postmaster's own time and its ended children's (it waits for them), then its live children's
        ticks += Long.parseLong(own.get(11)) + Long.parseLong(own.get(12)) + Long.parseLong(own.get(13)) + Long.parseLong(own.get(14));
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                List<String> child = stat(Long.parseLong(process.getFileName().toString()));
                if (!child.isEmpty() && Long.parseLong(child.get(1)) == pid) {
                    ticks += Long.parseLong(child.get(11)) + Long.parseLong(child.get(12));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ticks;
    }

    /** The fields of /proc/PID/stat after the command name (field 3 on), or none if the process is gone. */
    private static List<String> stat(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return List.of(line.substring(line.lastIndexOf(')') + 2).strip().split(" "));
        } catch (IOException | RuntimeException gone) {
            return List.of();
        }
    }

    private static String firstLine(Path file) {
        try {
            return Files.readAllLines(file).get(0).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).strip();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
