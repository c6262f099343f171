package dev.duplex.cli;

import dev.duplex.api.BootReport;
import dev.duplex.api.ObjectName;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VmStartFailedException;
import dev.duplex.api.VolumeLink;
import dev.duplex.cli.Printer.Column;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.service.CreateVm;
import dev.duplex.engine.service.VmService;
import dev.duplex.engine.service.VmStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex vm create|list|show|start|stop|delete}. */
@Command(name = "vm", description = "Virtual machines: an image plus links to external volumes.",
        footer = {"", "Examples:", "  duplex vm list"},
        subcommands = {VmCommand.Create.class, VmCommand.ListVms.class, VmCommand.Show.class, VmCommand.Start.class, VmCommand.Stop.class,
            VmCommand.Delete.class})
public final class VmCommand {
    @Command(name = "create", description = {
        "Create a VM (stopped) from a registered image with links to volumes."
    }, footer = {"", "Examples:", "  duplex volume create db-s --endpoint lab --size 64MiB",
        "  duplex vm create kv-s --endpoint lab --image kv-1 --link db-s:db -p env.KV_PORT=7010"})
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

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Create(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            // Links are parsed before anything is started, so a malformed one costs nothing.
            List<LinkRecord> parsedLinks = links.stream().map(Create::parseLink).toList();
            VmService vms = context.services().get(VmService.class);
            VmRecord vm = vms.create(new CreateVm(name, endpoint, image, parsedLinks, properties), Actor.operatingSystemUser());
            context.printer().changed(output, "VM " + name + " created on " + endpoint + " from " + image + " as " + vm.driverRef(),
                    view(vms.show(name)));
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

    @Command(name = "list", description = "List VMs with their state as the platform reports it now.", footer = {"", "Examples:", "  duplex vm list --output json"})
    static final class ListVms implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListVms(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<Map<String, Object>> vms = new ArrayList<>();
            for (VmStatus status : context.services().get(VmService.class).list()) {
                vms.add(view(status));
            }
            context.printer().list(output, List.of(Column.of("name"), Column.of("endpoint"), Column.of("image"), Column.of("state"),
                    Column.of("links", "links", VmCommand::linkTexts), Column.of("driver_ref")), vms);
        }
    }

    @Command(name = "show", description = "Show a VM with its state, links, pair and settings.", footer = {"", "Examples:", "  duplex vm show kv-s"})
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
            Map<String, Object> view = view(context.services().get(VmService.class).show(name));
            if (!output.structured()) {
                view.put("links", linkTexts(view.get("links")));
            }
            context.printer().object(output, view);
        }
    }

    @Command(name = "start", description = "Start a VM (copy-at-boot links are copied in first).", footer = {"", "Examples:", "  duplex vm start kv-s"})
    static final class Start implements java.util.concurrent.Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Start it even while a live job (upgrade, rollback, failover) holds it; audited.")
        boolean force;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Start(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            BootReport report;
            try {
                report = context.services().get(VmService.class).start(name, force, Actor.operatingSystemUser());
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
            Map<String, Object> view = view(context.services().get(VmService.class).show(name));
            Map<String, Object> boot = new LinkedHashMap<>();
            boot.put("bytes_copied", report.bytesCopied());
            boot.put("copy_ms", report.copyTime());
            view.put("boot", boot);
            context.printer().changed(output, "VM " + name + " started" + (report.bytesCopied() > 0
                    ? " (" + ByteSize.format(report.bytesCopied()) + " copied in at boot in " + report.copyTime().toMillis() + " ms)" : ""),
                    view);
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop a VM: graceful (then forced after the driver's grace period), or --force at once.", footer = {"", "Examples:", "  duplex vm stop kv-s"})
    static final class Stop implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Power off at once, even while a live job (upgrade, rollback, failover) holds the VM;"
                + " past a job it is audited.")
        boolean force;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Stop(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            VmService vms = context.services().get(VmService.class);
            vms.stop(name, force, Actor.operatingSystemUser());
            context.printer().changed(output, "VM " + name + " stopped", view(vms.show(name)));
        }
    }

    @Command(name = "delete", description = "Delete a stopped VM that is in no pair and no live job; its volumes stay.", footer = {"", "Examples:", "  duplex vm delete kv-s"})
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
            VmRecord deleted = context.services().get(VmService.class).delete(name, Actor.operatingSystemUser());
            // deleted: it has no state any more, and a VM in a pair is never deleted
            context.printer().changed(output, "VM " + name + " deleted; its volumes stay", view(deleted, null, Optional.empty()));
        }
    }

    /**
     * A VM as docs/output.md describes it (kind "vm"): its state as the platform reports it now
     * (null once deleted), its links as objects.
     */
    static Map<String, Object> view(VmStatus status) {
        return view(status.vm(), status.state(), status.pair());
    }

    private static Map<String, Object> view(VmRecord vm, String state, Optional<String> pair) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", vm.name());
        view.put("endpoint", vm.endpoint());
        view.put("image", vm.image());
        view.put("state", state);
        List<Map<String, Object>> links = new ArrayList<>();
        for (LinkRecord link : vm.links()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("volume", link.volume());
            l.put("mount_path", link.mountPath());
            l.put("mode", link.mode() == VolumeLink.Mode.COPY_AT_BOOT ? "copy" : "mount");
            links.add(l);
        }
        view.put("links", links);
        view.put("pair", pair);
        view.put("driver_ref", vm.driverRef());
        view.put("properties", dev.duplex.api.Redaction.redactSettings(vm.properties())); // tokens in VM settings are secrets, as in the API
        return view;
    }

    /** Links as people write them on the command line: {@code VOLUME:PATH[:copy]}. */
    @SuppressWarnings("unchecked")
    static Object linkTexts(Object links) {
        return ((List<Map<String, Object>>) links).stream()
                .map(l -> l.get("volume") + ":" + l.get("mount_path") + ("copy".equals(l.get("mode")) ? ":copy" : "")).toList();
    }
}
