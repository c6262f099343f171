package dev.duplex.cli.env;

/**
 * The file being replaced is not the file that was checked any more (another process wrote,
 * renamed or linked over it in between); nothing was written.
 */
final class TargetChangedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final String MESSAGE = "the target changed while applying; nothing was written";

    TargetChangedException(String detail) {
        super(MESSAGE + " (" + detail + "); apply again once nothing else writes it");
    }
}
