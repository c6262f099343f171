package dev.duplex.server;

import java.nio.file.Path;

/**
 * One server node in a process of its own, as {@code duplex server} runs it: joins the installation
 * (and its embedded PostgreSQL) in folder {@code args[0]}, prints {@code LISTENING <port>}, and
 * serves until SIGTERM, which drains it.
 */
public final class ServerNodeMain {
    private ServerNodeMain() {}

    public static void main(String[] args) throws Exception {
        try (RunningServer installation = new RunningServer(Path.of(args[0]), "")) {
            DuplexServer server = installation.start(RunningServer.loopback());
            System.out.println("LISTENING " + server.port() + " " + ProcessHandle.current().pid());
            System.out.flush();
            server.runUntilSignalled();
        }
        System.exit(0);
    }
}
