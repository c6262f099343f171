package dev.duplex.cli;

import dev.duplex.cli.Printer.Column;
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

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Register(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            ImageRecord image = context.services().get(ImageService.class)
                    .register(new RegisterImage(name, endpoint, version, source, properties), Actor.operatingSystemUser());
            context.printer().changed(output, "Image " + name + " (" + version + ") registered on " + endpoint + " as " + image.driverRef(),
                    view(image));
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
            List<Map<String, Object>> images = new ArrayList<>();
            for (ImageRecord i : context.services().get(ImageService.class).list()) {
                images.add(view(i));
            }
            context.printer().list(output, List.of(Column.of("name"), Column.of("endpoint"), Column.of("version"), Column.of("driver_ref")),
                    images);
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
            context.printer().object(output, view(context.services().get(ImageService.class).show(name)));
        }
    }

    @Command(name = "delete", description = "Delete an image that no VM uses, on its endpoint and from the inventory.", footer = {"", "Examples:", "  duplex image delete kv-3"})
    static final class Delete implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Delete(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            ImageRecord deleted = context.services().get(ImageService.class).delete(name, Actor.operatingSystemUser());
            context.printer().changed(output, "Image " + name + " deleted", view(deleted));
        }
    }

    /** An image as docs/output.md describes it (kind "image"). */
    static Map<String, Object> view(ImageRecord i) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", i.name());
        view.put("endpoint", i.endpoint());
        view.put("version", i.softwareVersion());
        view.put("driver_ref", i.driverRef());
        return view;
    }
}
