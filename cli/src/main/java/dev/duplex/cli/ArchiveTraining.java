package dev.duplex.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training run of the class-data-sharing archive, at packaging time ({@code dist}): runs the
 * commands people type most, in one JVM started with {@code -XX:ArchiveClassesAtExit}, so that
 * the archive holds the classes they load. Arguments: the Duplex home to use (a fresh folder; its
 * embedded PostgreSQL is stopped at the end). A command that fails only leaves its classes out.
 * The run is started with {@code -XX:DumpLoadedClassList} by {@code dist/src/build/train-archive.sh}.
 */
public final class ArchiveTraining {
    /**
     * A small inventory first, so that the lists below go the whole way a user's do: a driver
     * connection per endpoint, JSON columns, the printer's rows, not an empty table.
     */
    private static final List<List<String>> SETUP = List.of(
            List.of("endpoint", "add", "lab", "--driver", "local"),
            List.of("image", "register", "kv-1", "--endpoint", "lab", "--version", "v1", "--source", "IMAGE"),
            List.of("volume", "create", "db-0", "--endpoint", "lab", "--size", "1MiB"),
            List.of("volume", "create", "db-1", "--endpoint", "lab", "--size", "1MiB"),
            List.of("vm", "create", "kv-0", "--endpoint", "lab", "--image", "kv-1", "--link", "db-0:db", "-p", "env.KV_PORT=7000"),
            List.of("vm", "create", "kv-1", "--endpoint", "lab", "--image", "kv-1", "--link", "db-1:db", "-p", "env.KV_PORT=7001"),
            List.of("pair", "create", "kv", "--system0", "kv-0", "--system1", "kv-1", "--active", "0",
                    "--role-controller", "type=http", "--role-controller", "member.kv-0.port=7000", "--role-controller", "member.kv-1.port=7001"));
    private static final List<List<String>> COMMANDS = List.of(
            List.of("--version"), List.of("--help"), List.of("drivers"), List.of("vm", "list"), List.of("pair", "list"),
            List.of("endpoint", "list"), List.of("image", "list"), List.of("volume", "list"), List.of("vm", "show", "kv-0"),
            List.of("pair", "show", "kv"), List.of("jobs", "list"), List.of("upgrade", "status", "kv"), List.of("vm", "list", "--output", "json"), List.of("db", "status"),
            List.of("no-such-command"),
            // the remote transport up to its request (no server listens on port 1): the HTTP client, the token file
            List.of("--server", "http://127.0.0.1:1", "vm", "list"), List.of("--server", "http://127.0.0.1:1", "pair", "list"));

    private ArchiveTraining() {}

    public static void main(String[] args) throws IOException {
        Path image = Files.createDirectories(Path.of(args[0]).resolve("training-image"));
        Files.writeString(image.resolve("duplex-image.properties"), "version=v1\ncommand=sleep 60\n");
        Path token = Path.of(args[0]).resolve("token");
        if (!Files.exists(token)) {
            Files.createFile(token, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(token, "training-only\n");
        }
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("DUPLEX_HOME", args[0]);
        // the server stays up between the commands, so that they join it as a user's warm commands do; stopped at the end
        environment.put("DUPLEX_DB_IDLE_STOP", "PT10M");
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        // A command's errors go to the training log (train-archive.sh keeps stderr there): in the clean-clone
        // CI build the commands that need the database exited 1 and the log could not say why.
        PrintWriter errors = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        List<List<String>> all = new java.util.ArrayList<>();
        SETUP.forEach(command -> all.add(command.stream().map(word -> word.equals("IMAGE") ? image.toString() : word).toList()));
        all.addAll(COMMANDS);
        for (List<String> command : all) {
            int code = Main.run(command.toArray(String[]::new), environment, discard, errors);
            System.out.println("trained: duplex " + String.join(" ", command) + " (exit " + code + ")");
        }
        int stopped = Main.run(new String[] {"db", "stop", "--force"}, environment, discard, discard);
        System.out.println("stopped the training's database (exit " + stopped + ")");
    }
}
