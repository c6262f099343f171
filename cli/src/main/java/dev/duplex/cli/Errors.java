package dev.duplex.cli;

import dev.duplex.api.DriverException;

/** Turns an exception into the one line a user reads. */
final class Errors {
    private Errors() {}

    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        if (e instanceof DriverException driverException && driverException.retryable()) {
            message += " (temporary: try again)";
        }
        return message;
    }
}
