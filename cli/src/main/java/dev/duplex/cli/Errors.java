package dev.duplex.cli;

/** Turns an exception into the one line a user reads: its message, which says what failed, on what, and what to do. */
final class Errors {
    private Errors() {}

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
