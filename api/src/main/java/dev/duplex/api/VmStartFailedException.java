package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A VM's process (or guest) ended while it was being started, within the driver's settle time:
 * a port in use, a missing file, a crash at boot. The message is one line naming the VM and how
 * it ended; {@link #consoleTail()} holds the last lines of its console (serial log, stdout and
 * stderr) for a caller to show below it, since that is usually where the reason is.
 */
public class VmStartFailedException extends DriverException {
    private static final long serialVersionUID = 1L;

    /** How many console lines drivers keep in {@link #consoleTail()}. */
    public static final int CONSOLE_TAIL_LINES = 20;

    private final Integer exitCode;
    private final List<String> consoleTail;

    /**
     * @param exitCode the exit status of the VM's main process, when the platform knows it
     * @param consoleTail the last lines of the VM's console, oldest first, at most {@link #CONSOLE_TAIL_LINES}
     */
    public VmStartFailedException(String message, ObjectId vm, Optional<Integer> exitCode, List<String> consoleTail) {
        super(message, requireNonNull(vm, "vm is null"), null);
        this.exitCode = requireNonNull(exitCode, "exitCode is null").orElse(null);
        List<String> lines = List.copyOf(requireNonNull(consoleTail, "consoleTail is null"));
        this.consoleTail = List.copyOf(lines.subList(Math.max(0, lines.size() - CONSOLE_TAIL_LINES), lines.size()));
    }

    /** The exit status of the VM's main process, when known. */
    public Optional<Integer> exitCode() {
        return Optional.ofNullable(exitCode);
    }

    /** The last lines of the VM's console, oldest first; may hold control characters, escape before printing. */
    public List<String> consoleTail() {
        return consoleTail;
    }

    /** Starting again fails the same way until the cause (seen in the console) is fixed. */
    @Override
    public boolean retryable() {
        return false;
    }
}
