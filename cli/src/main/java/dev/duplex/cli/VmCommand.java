package dev.duplex.cli;

import dev.duplex.api.BootReport;
import dev.duplex.api.DriverException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ObjectName;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmStartFailedException;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobLocks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex vm create|list|start|stop}. */
@Command(name = "vm", description = "Virtual machines: an image plus links to external volumes.",
        subcommands = {VmCommand.Create.class, VmCommand.ListVms.class, VmCommand.Start.class, VmCommand.Stop.class})
public final class VmCommand {
    @Command(name = "create", description = {
        "Create a VM (stopped) from a registered image with links to volumes.",
        "Example: duplex vm create kv-0 --endpoint lab --image kv-1.0 --link db-0:db --property env.KV_PORT=7000"
    })
    static final class Create implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME", converter = ObjectNameConverter.class)
        String name;

        @Option(names = "--endpoint", required = true, converter = ObjectNameConverter.class)
        String endpoint;

        @Option(names = "--image", required = true, converter = ObjectNameConverter.class)
        String image;

        @Option(names = "--link", paramLabel = "VOLUME:PATH[:mount|copy]",
                description = "Link a volume at a path; 'mount' (default) uses it in place, 'copy' copies it in at boot. Repeatable.")
        List<String> links = new ArrayList<>();

        @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE")
        Map<String, String> properties = new LinkedHashMap<>();

        Create(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            // Links are checked before anything is looked up or started, so a bad one leaves nothing behind.
            List<LinkRecord> parsedLinks = links.stream().map(Create::parseLink).toList();
            Services services = context.services();
            Inventory inventory = services.inventory();
            if (inventory.vm(name).isPresent()) {
                throw new InventoryConflictException("A VM named '" + name + "' already exists");
            }
            inventory.endpoint(endpoint).orElseThrow(() -> new NotInInventoryException("endpoint", endpoint));
            ImageRecord imageRecord = inventory.image(image).orElseThrow(() -> new NotInInventoryException("image", image));
            if (!imageRecord.endpoint().equals(endpoint)) {
                throw new IllegalArgumentException("Image " + image + " is registered on endpoint " + imageRecord.endpoint()
                        + ", not on " + endpoint + "; register it there first");
            }
            List<LinkRecord> linkRecords = new ArrayList<>();
            List<VolumeLink> volumeLinks = new ArrayList<>();
            for (LinkRecord link : parsedLinks) {
                VolumeRecord volume = inventory.volume(link.volume()).orElseThrow(() -> new NotInInventoryException("volume", link.volume()));
                if (!volume.endpoint().equals(endpoint)) {
                    throw new IllegalArgumentException("Volume " + volume.name() + " is on endpoint " + volume.endpoint() + ", not on " + endpoint);
                }
                inventory.vms().stream().filter(vm -> vm.links().stream().anyMatch(l -> l.volume().equals(volume.name()))).findFirst()
                        .ifPresent(vm -> {
                            throw new InventoryConflictException("Volume " + volume.name() + " is already linked to VM " + vm.name());
                        });
                linkRecords.add(link);
                volumeLinks.add(new VolumeLink(new VolumeRef(volume.driverRef(), volume.name()), link.mountPath(), link.mode()));
            }
            HypervisorDriver driver = services.connections().driver(endpoint);
            VmRef ref = driver.createVm(new VmSpec(name, new ImageRef(imageRecord.driverRef(), image), volumeLinks, properties));
            try {
                inventory.addVm(new VmRecord(name, endpoint, ref.id(), image, linkRecords, properties));
            } catch (RuntimeException e) {
                driver.deleteVm(ref); // a stopped VM created a moment ago; its linked volumes are never deleted
                throw e;
            }
            services.audit("vm.create", "vm/" + name, Optional.empty(),
                    Optional.of(Json.of(Map.of("endpoint", endpoint, "image", image, "links", links, "ref", ref.id()))));
            context.out().println("VM " + name + " created on " + endpoint + " from " + image + " as " + ref.id());
            context.out().flush();
        }

        static LinkRecord parseLink(String spec) {
            String[] parts = spec.split(":", -1);
            if (parts.length < 2 || parts.length > 3) {
                throw new IllegalArgumentException("--link " + spec + ": write VOLUME:PATH or VOLUME:PATH:mount|copy");
            }
            if (!ObjectName.isValid(parts[0])) {
                throw new IllegalArgumentException("--link " + spec + ": " + ObjectName.problem("volume", parts[0]));
            }
            if (!VolumeLink.isValidMountPath(parts[1])) {
                throw new IllegalArgumentException("--link " + spec + ": " + VolumeLink.mountPathProblem(parts[1]));
            }
            VolumeLink.Mode mode = VolumeLink.Mode.MOUNT_AT_BOOT;
            if (parts.length == 3) {
                mode = switch (parts[2].toLowerCase(Locale.ROOT)) {
                    case "mount" -> VolumeLink.Mode.MOUNT_AT_BOOT;
                    case "copy" -> VolumeLink.Mode.COPY_AT_BOOT;
                    default -> throw new IllegalArgumentException("--link " + spec + ": the mode is 'mount' or 'copy', not '" + parts[2] + "'");
                };
            }
            return new LinkRecord(parts[0], parts[1], mode);
        }
    }

    @Command(name = "list", description = "List VMs with their state as the platform reports it now.")
    static final class ListVms implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListVms(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            Services services = context.services();
            List<List<Object>> rows = new ArrayList<>();
            for (VmRecord vm : services.inventory().vms()) {
                String state;
                try {
                    state = services.connections().driver(vm.endpoint()).state(new VmRef(vm.driverRef(), vm.name())).name();
                } catch (DriverException e) {
                    state = "UNKNOWN (" + e.getMessage() + ")";
                }
                List<String> links = vm.links().stream()
                        .map(l -> l.volume() + ":" + l.mountPath() + (l.mode() == VolumeLink.Mode.COPY_AT_BOOT ? ":copy" : "")).toList();
                rows.add(List.of(vm.name(), vm.endpoint(), vm.image(), state, output.format() == OutputFormat.JSON ? links : String.join(",", links),
                        vm.driverRef()));
            }
            context.printer().rows(output.format(), List.of("name", "endpoint", "image", "state", "links", "driver ref"), rows);
        }
    }

    @Command(name = "start", description = "Start a VM (copy-at-boot links are copied in first).")
    static final class Start implements java.util.concurrent.Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Start it even while a live job (upgrade, rollback, failover) holds it; audited.")
        boolean force;

        Start(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Services services = context.services();
            VmRecord vm = services.inventory().vm(name).orElseThrow(() -> new NotInInventoryException("VM", name));
            Optional<Job> pastJob = services.get(JobLocks.class).check(name, force, "duplex vm start " + name + " --force");
            BootReport report;
            try {
                report = services.connections().driver(vm.endpoint()).start(new VmRef(vm.driverRef(), vm.name()));
            } catch (VmStartFailedException e) {
                // One line saying what happened, then the console's end, where the reason usually is.
                context.err().println("duplex: " + Errors.describe(e));
                if (!e.consoleTail().isEmpty()) {
                    context.err().println("Last " + e.consoleTail().size() + " line(s) of " + name + "'s console:");
                    e.consoleTail().forEach(line -> context.err().println("  | " + VisibleText.escape(line)));
                }
                context.err().flush();
                return 1;
            }
            services.audit(pastJob.isPresent() ? "vm.start.forced" : "vm.start", "vm/" + name, Optional.empty(), pastJob.map(VmCommand::heldBy));
            context.out().println("VM " + name + " started" + (report.bytesCopied() > 0
                    ? " (" + ByteSize.format(report.bytesCopied()) + " copied in at boot in " + report.copyTime().toMillis() + " ms)" : ""));
            context.out().flush();
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop a VM: graceful (then forced after the driver's grace period), or --force at once.")
    static final class Stop implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Power off at once, even while a live job (upgrade, rollback, failover) holds the VM;"
                + " past a job it is audited.")
        boolean force;

        Stop(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            Services services = context.services();
            VmRecord vm = services.inventory().vm(name).orElseThrow(() -> new NotInInventoryException("VM", name));
            // A member in a job may be the pair's only serving one: stopping it is an outage.
            Optional<Job> pastJob = services.get(JobLocks.class).check(name, force, "duplex vm stop " + name + " --force");
            services.connections().driver(vm.endpoint()).stop(new VmRef(vm.driverRef(), vm.name()), force ? StopMode.FORCE : StopMode.GRACEFUL);
            services.audit(pastJob.isPresent() ? "vm.stop.forced" : "vm.stop", "vm/" + name, Optional.empty(), pastJob.map(VmCommand::heldBy));
            context.out().println("VM " + name + " stopped");
            context.out().flush();
        }
    }

    /** The audit detail of a command forced past a live job. */
    static String heldBy(Job job) {
        return Json.of(Map.of("live_job", job.id(), "job_kind", job.kind(), "job_state", job.state().name(), "job_target", job.pair()));
    }
}
