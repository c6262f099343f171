package dev.duplex.cli;

/**
 * The exit codes every command keeps, so a script can tell "refused" from "the job ran and did
 * not reach its goal" (as {@code kubectl rollout status} does). Listed in the footer of
 * {@code duplex --help} ({@link DuplexCommand}) and docs/exit-codes.md; change them only with both.
 */
public final class ExitStatus {
    /** Done: the command did what was asked (a job reached its goal). */
    public static final int DONE = 0;
    /** Refused or failed before or outside a job: bad input, a check that said no, a platform error. */
    public static final int FAILED = 1;
    /** Bad usage: unknown option, missing argument. */
    public static final int USAGE = 2;
    /** A job ran and ended without reaching its goal: FAILED, or an upgrade that was rolled back. */
    public static final int JOB_NOT_DONE = 3;
    /** Stopped by the operator (Ctrl-C, SIGTERM); the job waits to be resumed. As shells report SIGINT. */
    public static final int INTERRUPTED = 130;

    private ExitStatus() {}
}
