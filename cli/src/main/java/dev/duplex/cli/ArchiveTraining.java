package dev.duplex.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training run of the class-data-sharing archive, at packaging time ({@code dist}): runs the
 * commands people type most, in one JVM started with {@code -XX:ArchiveClassesAtExit}, so that
 * the archive holds the classes they load. Arguments: the Duplex home to use (a fresh folder; its
 * embedded PostgreSQL is stopped at the end). A command that fails only leaves its classes out.
 */
public final class ArchiveTraining {
    private static final List<List<String>> COMMANDS = List.of(
            List.of("--version"), List.of("--help"), List.of("drivers"), List.of("vm", "list"), List.of("pair", "list"),
            List.of("endpoint", "list"), List.of("upgrade", "status", "kv"), List.of("vm", "list", "--output", "json"), List.of("db", "status"),
            List.of("no-such-command"));

    private ArchiveTraining() {}

    public static void main(String[] args) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("DUPLEX_HOME", args[0]);
        environment.put("DUPLEX_DB_IDLE_STOP", "PT0S"); // the training leaves no server behind
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        for (List<String> command : COMMANDS) {
            int code = Main.run(command.toArray(String[]::new), environment, discard, discard);
            System.out.println("trained: duplex " + String.join(" ", command) + " (exit " + code + ")");
        }
    }
}
