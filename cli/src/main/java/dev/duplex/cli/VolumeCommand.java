package dev.duplex.cli;

import dev.duplex.cli.Printer.Column;
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

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Create(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            VolumeRecord volume = context.services().get(VolumeService.class)
                    .create(new CreateVolume(name, endpoint, size, purpose, properties), Actor.operatingSystemUser());
            context.printer().changed(output, "Volume " + name + " (" + ByteSize.format(size) + ") created on " + endpoint + " as "
                    + volume.driverRef(), view(volume));
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
            List<Map<String, Object>> volumes = new ArrayList<>();
            for (VolumeRecord v : context.services().get(VolumeService.class).list()) {
                volumes.add(view(v));
            }
            context.printer().list(output, List.of(Column.of("name"), Column.of("endpoint"), Column.of("size", "size_bytes", SIZE),
                    Column.of("purpose"), Column.of("driver_ref")), volumes);
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
            context.printer().object(output, view(context.services().get(VolumeService.class).show(name)));
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

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Delete(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            VolumeView deleted = context.services().get(VolumeService.class).delete(name, force, Actor.operatingSystemUser());
            context.printer().changed(output, "Volume " + name + " deleted" + (deleted.mayHoldData() ? " with the data it held" : ""),
                    view(deleted));
        }
    }

    private static final java.util.function.Function<Object, Object> SIZE = bytes -> ByteSize.format(((Number) bytes).longValue());

    /** A volume as docs/output.md describes it (kind "volume"), as listings know it. */
    static Map<String, Object> view(VolumeRecord v) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", v.name());
        view.put("endpoint", v.endpoint());
        view.put("size_bytes", v.sizeBytes());
        view.put("purpose", v.purpose());
        view.put("driver_ref", v.driverRef());
        return view;
    }

    /** A volume with what only show and delete know: the VM that links it and whether it may hold data. */
    static Map<String, Object> view(VolumeView shown) {
        Map<String, Object> view = view(shown.volume());
        view.put("linked_by", shown.linkedBy());
        view.put("may_hold_data", shown.mayHoldData());
        view.put("first_linked_at", shown.firstLinked());
        return view;
    }

}
