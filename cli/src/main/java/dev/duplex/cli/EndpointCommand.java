package dev.duplex.cli;

import dev.duplex.api.Redaction;
import dev.duplex.cli.Printer.Column;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.service.AddEndpoint;
import dev.duplex.engine.service.EndpointService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex endpoint add|list|show|remove}. */
@Command(name = "endpoint", description = "Platforms Duplex drives: a name, a driver kind, a URI and a credential file.",
        footer = {"", "Examples:", "  duplex endpoint list"},
        subcommands = {EndpointCommand.Add.class, EndpointCommand.ListEndpoints.class, EndpointCommand.Show.class, EndpointCommand.Remove.class})
public final class EndpointCommand {
    @Command(name = "add", description = {
        "Add an endpoint after checking that its driver can connect to it."
    }, footer = {"", "Examples:", "  duplex endpoint add lab2 --driver local",
        "  # KVM over SSH (needs that host): duplex endpoint add kvm1 --driver kvm --uri qemu+ssh://root@host/system --credential-file /etc/duplex/kvm1.key"})
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

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Add(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            Endpoint endpoint = context.services().get(EndpointService.class).add(new AddEndpoint(name, driver, Optional.ofNullable(uri),
                    Optional.ofNullable(credentialFile).map(p -> p.toAbsolutePath().toString()), properties), Actor.operatingSystemUser());
            context.printer().changed(output, "Endpoint " + name + " added (" + driver + ", " + Redaction.redactUri(endpoint.uri()) + ")",
                    view(endpoint));
        }
    }

    @Command(name = "list", description = "List endpoints.", footer = {"", "Examples:", "  duplex endpoint list --no-headers"})
    static final class ListEndpoints implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListEndpoints(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<Map<String, Object>> endpoints = new ArrayList<>();
            for (Endpoint e : context.services().get(EndpointService.class).list()) {
                endpoints.add(view(e));
            }
            context.printer().list(output, List.of(Column.of("name"), Column.of("driver"), Column.of("uri"), Column.of("credential_file"),
                    Column.of("properties")), endpoints);
        }
    }

    @Command(name = "show", description = "Show an endpoint.", footer = {"", "Examples:", "  duplex endpoint show lab2 --output json"})
    static final class Show implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Show(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            context.printer().object(output, view(context.services().get(EndpointService.class).show(name)));
        }
    }

    @Command(name = "remove", aliases = "delete", description = "Remove an endpoint that no image, volume or VM uses any more.", footer = {"", "Examples:", "  duplex endpoint remove lab2"})
    static final class Remove implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Remove(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            Endpoint removed = context.services().get(EndpointService.class).remove(name, Actor.operatingSystemUser());
            context.printer().changed(output, "Endpoint " + name + " removed", view(removed));
        }
    }

    /** An endpoint as docs/output.md describes it (kind "endpoint"): its URI and settings redacted. */
    static Map<String, Object> view(Endpoint e) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", e.name());
        view.put("driver", e.driverKind());
        view.put("uri", Redaction.redactUri(e.uri()));
        view.put("credential_file", e.credentialFile());
        view.put("properties", Redaction.redactSettings(e.properties()));
        return view;
    }
}
