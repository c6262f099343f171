package dev.duplex.cli;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.service.ImageService;
import dev.duplex.engine.service.RegisterImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex image register|list|show|delete}. */
@Command(name = "image", description = "Software images, registered ahead of an upgrade, without the database.",
        footer = {"", "Examples:", "  duplex image list"},
        subcommands = {ImageCommand.Register.class, ImageCommand.ListImages.class, ImageCommand.Show.class, ImageCommand.Delete.class})
public final class ImageCommand {
    @Command(name = "register", aliases = "create", description = {
        "Register a software image on an endpoint, ahead of an upgrade; the database is not in it."
    }, footer = {"", "Examples:", "  duplex image register kv-3 --endpoint lab --version v2 --source examples/images/v2"})
    static final class Register implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME", converter = ObjectNameConverter.class, description = "The image's name, unique in the inventory.")
        String name;

        @Option(names = "--endpoint", required = true, paramLabel = "ENDPOINT", converter = ObjectNameConverter.class, description = "The endpoint to register it on (see 'duplex endpoint list').")
        String endpoint;

        @Option(names = "--version", required = true, paramLabel = "VERSION", description = "The software version the image runs.")
        String version;

        @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "Where the image is, in the driver's terms (a folder for local).")
        String source;

        @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE", description = "Driver setting for the image; repeatable.")
        Map<String, String> properties = new LinkedHashMap<>();

        Register(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            ImageRecord image = context.services().get(ImageService.class)
                    .register(new RegisterImage(name, endpoint, version, source, properties), Actor.operatingSystemUser());
            context.out().println("Image " + name + " (" + version + ") registered on " + endpoint + " as " + image.driverRef());
            context.out().flush();
        }
    }

    @Command(name = "list", description = "List images.", footer = {"", "Examples:", "  duplex image list --output json"})
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
            for (ImageRecord i : context.services().get(ImageService.class).list()) {
                rows.add(List.of(i.name(), i.endpoint(), i.softwareVersion(), i.driverRef()));
            }
            context.printer().rows(output, List.of("name", "endpoint", "version", "driver ref"), rows);
        }
    }

    @Command(name = "show", description = "Show an image.", footer = {"", "Examples:", "  duplex image show kv-3"})
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
            ImageRecord i = context.services().get(ImageService.class).show(name);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("name", i.name());
            fields.put("endpoint", i.endpoint());
            fields.put("version", i.softwareVersion());
            fields.put("driver_ref", i.driverRef());
            context.printer().fields(output.format(), fields);
        }
    }

    @Command(name = "delete", description = "Delete an image that no VM uses, on its endpoint and from the inventory.", footer = {"", "Examples:", "  duplex image delete kv-3"})
    static final class Delete implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Delete(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            context.services().get(ImageService.class).delete(name, Actor.operatingSystemUser());
            context.out().println("Image " + name + " deleted");
            context.out().flush();
        }
    }
}
