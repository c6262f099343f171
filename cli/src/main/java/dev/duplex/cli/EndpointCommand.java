package dev.duplex.cli;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.api.Redaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex endpoint add|list|remove}. */
@Command(name = "endpoint", description = "Platforms Duplex drives: a name, a driver kind, a URI and a credential file.",
        subcommands = {EndpointCommand.Add.class, EndpointCommand.ListEndpoints.class, EndpointCommand.Remove.class})
public final class EndpointCommand {
    @Command(name = "add", description = {
        "Add an endpoint after checking that its driver can connect to it.",
        "Examples:",
        "  duplex endpoint add lab --driver local",
        "  duplex endpoint add kvm1 --driver kvm --uri qemu+ssh://root@host/system --credential-file /etc/duplex/kvm1.key"
    })
    static final class Add implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME", converter = ObjectNameConverter.class, description = "A unique name: 1 to 63 of A-Z a-z 0-9 . _ -, starting with a letter or digit.")
        String name;

        @Option(names = "--driver", required = true, paramLabel = "KIND", description = "Driver kind (see 'duplex drivers').")
        String driver;

        @Option(names = "--uri", paramLabel = "URI", description = "Platform URI; never put a password in it. Default for local: local:")
        String uri;

        @Option(names = "--credential-file", paramLabel = "FILE", description = "File holding the secret; its path is stored, never its content.")
        Path credentialFile;

        @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE", description = "Driver setting; repeatable.")
        Map<String, String> properties = new LinkedHashMap<>();

        Add(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            if (uri == null) {
                if (!driver.equals("local")) {
                    throw new IllegalArgumentException("--uri is required for the " + driver + " driver");
                }
                uri = "local:";
            }
            Services services = context.services();
            if (services.inventory().endpoint(name).isPresent()) {
                throw new InventoryConflictException("An endpoint named '" + name + "' already exists; pick another name or remove it first");
            }
            Endpoint endpoint = new Endpoint(name, driver, uri,
                    Optional.ofNullable(credentialFile).map(p -> p.toAbsolutePath().toString()), properties);
            // Connect once before recording it, so a typo in the URI is found now, not during an upgrade.
            try (HypervisorDriver connection = services.connections().connect(endpoint)) {
                connection.capabilities();
            }
            services.inventory().addEndpoint(endpoint);
            services.audit("endpoint.add", "endpoint/" + name, Optional.empty(),
                    Optional.of(Json.of(Map.of("driver", driver, "uri", Redaction.redactUri(uri)))));
            context.out().println("Endpoint " + name + " added (" + driver + ", " + Redaction.redactUri(uri) + ")");
            context.out().flush();
        }
    }

    @Command(name = "list", description = "List endpoints.")
    static final class ListEndpoints implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListEndpoints(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<List<Object>> rows = new ArrayList<>();
            for (Endpoint e : context.services().inventory().endpoints()) {
                rows.add(List.of(e.name(), e.driverKind(), Redaction.redactUri(e.uri()), e.credentialFile().orElse("-"),
                        e.properties().isEmpty() ? "-" : e.properties().toString()));
            }
            context.printer().rows(output.format(), List.of("name", "driver", "uri", "credential file", "properties"), rows);
        }
    }

    @Command(name = "remove", description = "Remove an endpoint that no image, volume or VM uses any more.")
    static final class Remove implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Remove(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            Services services = context.services();
            services.inventory().endpoint(name).orElseThrow(() -> new NotInInventoryException("endpoint", name));
            services.inventory().removeEndpoint(name);
            services.audit("endpoint.remove", "endpoint/" + name, Optional.empty(), Optional.empty());
            context.out().println("Endpoint " + name + " removed");
            context.out().flush();
        }
    }
}
