package dev.duplex.persistence;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Another Duplex process using the embedded database, for the sharing tests. Arguments: the
 * Duplex home and a mode: {@code write} (start, add endpoint {@code from-<pid>}, leave) or
 * {@code wait} (start, then leave when a line arrives on stdin); a third argument, an ISO-8601
 * duration, is the idle time the server stays up after the last user left (default zero). Prints
 * {@code STATUS <startedByPid> <postmasterPid> <port> <startedByThisProcess> <users>} once started,
 * then {@code LEFT} after closing.
 */
public final class EmbeddedUserMain {
    private EmbeddedUserMain() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        java.time.Duration idleStop = args.length > 2 ? java.time.Duration.parse(args[2]) : java.time.Duration.ZERO;
        try (Database database = Database.start(DatabaseConfig.embedded(home, idleStop))) {
            EmbeddedServerStatus server = database.status().server().orElseThrow();
            System.out.println("STATUS " + server.owner().startedByPid() + " " + server.postmasterPid() + " " + server.port() + " "
                    + server.startedByThisProcess() + " " + server.users());
            if (args[1].equals("write")) {
                new JdbiInventory(database.jdbi()).addEndpoint(Fixtures.endpoint("from-" + ProcessHandle.current().pid()));
            } else {
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
        }
        System.out.println("LEFT");
    }
}
