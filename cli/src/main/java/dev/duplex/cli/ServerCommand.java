package dev.duplex.cli;

import com.google.inject.Injector;
import dev.duplex.server.DuplexServer;
import dev.duplex.server.ServerModule;
import dev.duplex.server.ServerSettings;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code duplex server}: the REST API in the foreground, for systemd (conf/duplex.service). */
@Command(name = "server", description = {
    "Run the Duplex server in the foreground: the REST API under /api/v1 (OpenAPI at /openapi.json), health at /health/live and"
        + " /health/ready, Prometheus metrics at /metrics.",
    "HTTPS when duplex.server.tls.keystore is set; plain HTTP only on a loopback address unless duplex.server.allow-plain-http=true.",
    "SIGTERM drains: no new jobs, running steps reach their next journal point, then it exits. Requests need a token from 'duplex token create'."
}, footer = {"", "Examples:", "  duplex server --port 8443 --bind 127.0.0.1",
    "  # as a service: conf/duplex.service (systemd)"})
public final class ServerCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--port", paramLabel = "N", description = "TCP port (default: duplex.server.port, 8443).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: duplex.server.bind, 127.0.0.1).")
    String bind;

    public ServerCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerSettings settings = ServerSettings.from(context.config(), Optional.ofNullable(port), Optional.ofNullable(bind));
        settings.checkTransport(); // before the database starts: a refused transport costs nothing
        Injector injector = context.localServices().get(Injector.class).createChildInjector(new ServerModule(settings));
        DuplexServer server = injector.getInstance(DuplexServer.class).start();
        context.out().println("Duplex server listening on " + settings.scheme() + "://" + settings.bind() + ":" + server.port()
                + " (SIGTERM drains and stops)");
        context.out().flush();
        server.runUntilSignalled();
        return 0;
    }
}
