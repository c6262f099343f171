package dev.duplex.cli;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex image register|list}. */
@Command(name = "image", description = "Software images, registered ahead of an upgrade, without the database.",
        subcommands = {ImageCommand.Register.class, ImageCommand.ListImages.class})
public final class ImageCommand {
    @Command(name = "register", description = {
        "Register a software image on an endpoint.",
        "Example: duplex image register kv-2.0 --endpoint lab --version 2.0 --source ./images/v2"
    })
    static final class Register implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME", converter = ObjectNameConverter.class)
        String name;

        @Option(names = "--endpoint", required = true, converter = ObjectNameConverter.class)
        String endpoint;

        @Option(names = "--version", required = true, paramLabel = "VERSION", description = "The software version the image runs.")
        String version;

        @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "Where the image is, in the driver's terms (a folder for local).")
        String source;

        @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE")
        Map<String, String> properties = new LinkedHashMap<>();

        Register(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            Services services = context.services();
            if (services.inventory().image(name).isPresent()) {
                throw new InventoryConflictException("An image named '" + name + "' already exists");
            }
            services.inventory().endpoint(endpoint).orElseThrow(() -> new NotInInventoryException("endpoint", endpoint));
            HypervisorDriver driver = services.connections().driver(endpoint);
            ImageRef ref = driver.registerImage(new ImageSpec(name, version, source, properties));
            try {
                services.inventory().addImage(new ImageRecord(name, endpoint, version, ref.id()));
            } catch (RuntimeException e) {
                driver.deleteImage(ref); // nothing half-created: the platform forgets it too
                throw e;
            }
            services.audit("image.register", "image/" + name, Optional.empty(),
                    Optional.of(Json.of(Map.of("endpoint", endpoint, "version", version, "ref", ref.id()))));
            context.out().println("Image " + name + " (" + version + ") registered on " + endpoint + " as " + ref.id());
            context.out().flush();
        }
    }

    @Command(name = "list", description = "List images.")
    static final class ListImages implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListImages(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<List<Object>> rows = new ArrayList<>();
            for (ImageRecord i : context.services().inventory().images()) {
                rows.add(List.of(i.name(), i.endpoint(), i.softwareVersion(), i.driverRef()));
            }
            context.printer().rows(output.format(), List.of("name", "endpoint", "version", "driver ref"), rows);
        }
    }
}
