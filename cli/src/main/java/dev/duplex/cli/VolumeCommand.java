package dev.duplex.cli;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.service.CreateVolume;
import dev.duplex.engine.service.VolumeService;
import dev.duplex.engine.service.VolumeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex volume create|list|show|delete}. */
@Command(name = "volume", description = "Volumes that live outside VM images, such as a VM's database volume.",
        footer = {"", "Examples:", "  duplex volume list"},
        subcommands = {VolumeCommand.Create.class, VolumeCommand.ListVolumes.class, VolumeCommand.Show.class, VolumeCommand.Delete.class})
public final class VolumeCommand {
    @Command(name = "create", description = "Create an empty volume.", footer = {"", "Examples:", "  duplex volume create db-9 --endpoint lab --size 64MiB"})
    static final class Create implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME", converter = ObjectNameConverter.class)
        String name;

        @Option(names = "--endpoint", required = true, converter = ObjectNameConverter.class)
        String endpoint;

        @Option(names = "--size", required = true, converter = ByteSize.class, paramLabel = "SIZE", description = "e.g. 64MiB, 1GiB")
        long size;

        @Option(names = "--purpose", defaultValue = "database", description = "What it holds (default: ${DEFAULT-VALUE}).")
        String purpose;

        @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE")
        Map<String, String> properties = new LinkedHashMap<>();

        Create(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            VolumeRecord volume = context.services().get(VolumeService.class)
                    .create(new CreateVolume(name, endpoint, size, purpose, properties), Actor.operatingSystemUser());
            context.out().println("Volume " + name + " (" + ByteSize.format(size) + ") created on " + endpoint + " as " + volume.driverRef());
            context.out().flush();
        }
    }

    @Command(name = "list", description = "List volumes.", footer = {"", "Examples:", "  duplex volume list --no-headers"})
    static final class ListVolumes implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListVolumes(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<List<Object>> rows = new ArrayList<>();
            for (VolumeRecord v : context.services().get(VolumeService.class).list()) {
                rows.add(List.of(v.name(), v.endpoint(), output.format() == OutputFormat.JSON ? v.sizeBytes() : ByteSize.format(v.sizeBytes()),
                        v.purpose(), v.driverRef()));
            }
            context.printer().rows(output, List.of("name", "endpoint", "size", "purpose", "driver ref"), rows);
        }
    }

    @Command(name = "show", description = "Show a volume, the VM that links it, and whether it may hold data.", footer = {"", "Examples:", "  duplex volume show db-9"})
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
            VolumeView view = context.services().get(VolumeService.class).show(name);
            VolumeRecord v = view.volume();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("name", v.name());
            fields.put("endpoint", v.endpoint());
            fields.put("size", output.format() == OutputFormat.JSON ? v.sizeBytes() : ByteSize.format(v.sizeBytes()));
            fields.put("purpose", v.purpose());
            fields.put("driver_ref", v.driverRef());
            fields.put("linked_by", view.linkedBy().orElse("-"));
            fields.put("may_hold_data", view.mayHoldData());
            fields.put("first_linked_at", view.firstLinked().map(Object::toString).orElse("-"));
            context.printer().fields(output.format(), fields);
        }
    }

    @Command(name = "delete", description = {
        "Delete a volume that no VM links, on its endpoint and from the inventory.",
        "A volume a VM has linked may hold data: deleting it needs --force, and is audited."
    }, footer = {"", "Examples:", "  duplex volume delete db-9"})
    static final class Delete implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Delete it even though it may hold data (audited).")
        boolean force;

        Delete(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            VolumeView deleted = context.services().get(VolumeService.class).delete(name, force, Actor.operatingSystemUser());
            context.out().println("Volume " + name + " deleted" + (deleted.mayHoldData() ? " with the data it held" : ""));
            context.out().flush();
        }
    }
}
