package dev.duplex.cli;

import dev.duplex.api.VisibleText;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Turns an exception into the one line a user reads: its message, which says what failed, on
 * what, and what to do. A message quotes names, paths, driver texts and console lines that may
 * hold control characters; they are shown escaped ({@code \n}, {@code \x1b}), so a message is
 * always one line and never acts on the terminal.
 */
final class Errors {
    private Errors() {}

    static String describe(Throwable e) {
        String message = e.getMessage();
        return VisibleText.escape(message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
    }

    /** The stack trace for {@code --verbose}: its lines as they are, each line's text escaped. */
    static String trace(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        StringBuilder visible = new StringBuilder();
        trace.toString().lines().forEach(line -> visible.append(VisibleText.escape(line)).append(System.lineSeparator()));
        return visible.toString();
    }
}
