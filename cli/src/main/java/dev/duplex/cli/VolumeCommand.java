package dev.duplex.cli;

import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.VolumeRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex volume create|list}. */
@Command(name = "volume", description = "Volumes that live outside VM images, such as a VM's database volume.",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.ListVolumes.class})
public final class VolumeCommand {
    @Command(name = "create", description = {"Create an empty volume.", "Example: duplex volume create db-0 --endpoint lab --size 64MiB"})
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
            Services services = context.services();
            if (services.inventory().volume(name).isPresent()) {
                throw new InventoryConflictException("A volume named '" + name + "' already exists");
            }
            services.inventory().endpoint(endpoint).orElseThrow(() -> new NotInInventoryException("endpoint", endpoint));
            HypervisorDriver driver = services.connections().driver(endpoint);
            VolumeRef ref = driver.createVolume(new VolumeSpec(name, size, purpose, properties));
            try {
                services.inventory().addVolume(new VolumeRecord(name, endpoint, ref.id(), size, purpose));
            } catch (RuntimeException e) {
                driver.deleteVolume(ref); // it was created empty a moment ago: no data is lost
                throw e;
            }
            services.audit("volume.create", "volume/" + name, Optional.empty(),
                    Optional.of(Json.of(Map.of("endpoint", endpoint, "size", size, "ref", ref.id()))));
            context.out().println("Volume " + name + " (" + ByteSize.format(size) + ") created on " + endpoint + " as " + ref.id());
            context.out().flush();
        }
    }

    @Command(name = "list", description = "List volumes.")
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
            for (VolumeRecord v : context.services().inventory().volumes()) {
                rows.add(List.of(v.name(), v.endpoint(), output.format() == OutputFormat.JSON ? v.sizeBytes() : ByteSize.format(v.sizeBytes()),
                        v.purpose(), v.driverRef()));
            }
            context.printer().rows(output.format(), List.of("name", "endpoint", "size", "purpose", "driver ref"), rows);
        }
    }
}
