package dev.duplex.driver.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The fields of {@code /proc/<pid>/stat} the driver needs.
 *
 * @param pid the process id
 * @param state the state letter ({@code R}, {@code S}, {@code Z} for a zombie, ...)
 * @param parent the parent's pid (field 4): who must reap it once it has exited
 * @param processGroup the process group id (field 5)
 * @param startTime when the process started, in clock ticks since boot (field 22); with the pid it
 *     identifies a process for good, since a recycled pid gets a later start time
 */
record ProcessStat(long pid, char state, long parent, long processGroup, long startTime) {
    private static final Path PROC = Path.of("/proc");

    /** A zombie or dead process no longer runs anything, even though its pid still shows. */
    boolean running() {
        return state != 'Z' && state != 'X' && state != 'x';
    }

    /** The process's stat, or empty when no such process exists. */
    static Optional<ProcessStat> of(long pid) {
        try {
            return Optional.of(parse(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            // Gone between listing and reading, or not a process at all.
            return Optional.empty();
        }
    }

    /** Parses a stat line; the command name may hold spaces and parentheses, so fields are counted after the last ')'. */
    static ProcessStat parse(long pid, String line) {
        String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 of stat(5).
        return new ProcessStat(pid, fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                Long.parseLong(fields[19]));
    }

    /** Whether any live process is still in process group {@code group}. */
    static boolean groupHasMembers(long group) {
        return members(group).stream().anyMatch(ProcessStat::running);
    }

    /** Every process of group {@code group}, zombies included. */
    static List<ProcessStat> members(long group) {
        try (var entries = Files.list(PROC)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
                    .map(name -> of(Long.parseLong(name)))
                    .flatMap(Optional::stream)
                    .filter(stat -> stat.processGroup() == group)
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
