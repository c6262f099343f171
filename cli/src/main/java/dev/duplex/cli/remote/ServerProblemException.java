package dev.duplex.cli.remote;

/**
 * A refusal or failure the server answered (or the way to it failed), with a message a user can act
 * on; like the engine's own refusals it ends the command with exit code 1.
 */
public final class ServerProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ServerProblemException(int status, String message) {
        super(message);
        this.status = status;
    }

    public ServerProblemException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }
}
