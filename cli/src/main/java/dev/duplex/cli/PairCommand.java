package dev.duplex.cli;

import dev.duplex.api.Redaction;
import dev.duplex.cli.Printer.Column;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.fleet.Labels;
import dev.duplex.engine.service.PairLabelService;
import dev.duplex.engine.service.PairService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex pair create|list|show|label|delete}. */
@Command(name = "pair", description = "ACT/SBY pairs: system 0 and system 1, one of them active.",
        footer = {"", "Examples:", "  duplex pair list"},
        subcommands = {PairCommand.Create.class, PairCommand.ListPairs.class, PairCommand.Show.class, PairCommand.Label.class, PairCommand.Delete.class})
public final class PairCommand {
    @Command(name = "create", description = {
        "Create a pair of two VMs. Role changes and resync are the application's: --role-controller says how Duplex asks it",
        "(the keys below; docs/role-controllers.md has them all with their answers)."
    }, footer = {"",
        "type=http: the application serves HTTP on each member. Keys (all optional but type):",
        "  member.VM.port=N          the member's port; member.VM.host=ADDR (default 127.0.0.1) or member.VM.base=http://ADDR:N.",
        "                            Unset, a key is read from the VM's property KEY, then env.KEY (e.g. env.PORT), then KEY=...",
        "  role-url                  GET, answers {\"role\":\"ACT\"|\"SBY\"} (default {base}/role)",
        "  switchover-url            POST to the old active with {role}=SBY, then the new one with ACT (default {base}/role?to={role})",
        "  demote-url, takeover-url  the two halves of a switchover when they differ (default: switchover-url)",
        "  promote-url               POST to the standby at failover (default {base}/role?to=ACT&force=true)",
        "  sync-url, resync-url      GET {\"in_sync\":true} on the standby; POST to start a resync (none to skip)",
        "  health-url                GET {\"status\":\"ok\",\"version\":\"v2\"} (default {base}/health)",
        "  role-token                sent as a bearer token with every POST (or the VM's property env.ROLE_TOKEN)",
        "  identity=vm-id|none       check that the process answering is that member (default vm-id); timeout-ms=5000",
        "type=exec: Duplex runs your commands with the pair and member as arguments. Keys:",
        "  roles-command (prints ACT or SBY), switchover-command (exit 0 = done), sync-command (prints in-sync,",
        "  lag N or unknown) are required; demote-command, takeover-command, promote-command, resync-command,",
        "  health-command and timeout-ms=30000 are optional. Details: docs/role-controllers.md.",
        "--resync timeout-ms=N --resync poll-ms=N: how long an upgrade waits for the standby to catch up, and how often it asks.", "", "Examples:",
        "  duplex pair create kv --system0 kv-0 --system1 kv-1 --active 0 --role-controller type=http --role-controller member.kv-0.port=7000 --role-controller member.kv-1.port=7001",
        "  # exec: duplex pair create db --system0 db-0 --system1 db-1 --role-controller type=exec --role-controller roles-command=/opt/db/role --role-controller switchover-command=/opt/db/switch --role-controller sync-command=/opt/db/sync"
    })
    static final class Create implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME", converter = ObjectNameConverter.class, description = "The pair's name.")
        String name;

        @Option(names = "--system0", required = true, paramLabel = "VM", converter = ObjectNameConverter.class, description = "System 0's VM.")
        String system0;

        @Option(names = "--system1", required = true, paramLabel = "VM", converter = ObjectNameConverter.class, description = "System 1's VM.")
        String system1;

        @Option(names = "--active", defaultValue = "0", description = "Which system is active now: 0 or 1 (default: ${DEFAULT-VALUE}).")
        int active;

        @Option(names = "--standby", defaultValue = "hot", description = "hot (running, upgraded side by side) or cold (off until failover). Default: ${DEFAULT-VALUE}.")
        String standby;

        @Option(names = "--role-controller", paramLabel = "KEY=VALUE", description = "How Duplex asks the application for roles: type=http|exec and the keys above; repeatable.")
        Map<String, String> roleController = new LinkedHashMap<>();

        @Option(names = "--resync", paramLabel = "KEY=VALUE", description = "Resync gate setting (timeout-ms, poll-ms, health-timeout-ms, switchover-settle-ms); repeatable.")
        Map<String, String> resync = new LinkedHashMap<>();

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label (e.g. tier=db) a fleet upgrade can select the pair by; repeatable.")
        List<String> labels = new ArrayList<>();

        Create(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            StandbyKind kind = switch (standby.toLowerCase(Locale.ROOT)) {
                case "hot" -> StandbyKind.HOT;
                case "cold" -> StandbyKind.COLD;
                default -> throw new IllegalArgumentException("--standby is hot or cold, not '" + standby + "'");
            };
            CreatePair spec = new CreatePair(name, system0, system1, active, kind, roleController, resync);
            PairRecord pair = labels.isEmpty()
                    ? context.services().get(PairService.class).create(spec, Actor.operatingSystemUser())
                    : context.services().get(PairLabelService.class).create(spec, labels, Actor.operatingSystemUser());
            context.printer().changed(output, "Pair " + name + " created: system 0 = " + system0 + ", system 1 = " + system1
                    + ", active = system " + active + " (" + pair.active() + ")", view(pair, labelsOf(context, name)));
        }
    }

    @Command(name = "list", description = "List pairs.", footer = {"", "Examples:", "  duplex pair list --no-headers"})
    static final class ListPairs implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListPairs(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<Map<String, Object>> pairs = new ArrayList<>();
            Map<String, Labels> labels = context.services().find(PairLabelService.class).map(PairLabelService::all).orElse(Map.of());
            for (PairRecord p : context.services().get(PairService.class).list()) {
                pairs.add(view(p, Optional.ofNullable(labels.get(p.name()))));
            }
            context.printer().list(output, List.of(Column.of("name"), Column.of("system0"), Column.of("system1"), Column.of("active"),
                    Column.of("standby_vm"), Column.of("standby_mode"), Column.of("labels")), pairs);
        }
    }

    @Command(name = "show", description = "Show a pair with its members, roles and settings.", footer = {"", "Examples:", "  duplex pair show kv"})
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
            context.printer().object(output, view(context.services().get(PairService.class).show(name), labelsOf(context, name)));
        }
    }

    @Command(name = "label", description = {"Set (KEY=VALUE) or remove (KEY-) labels of a pair, all in one change; prints its labels after.",
        "A key is 1 to 63 of a-z 0-9 . _ -; a value the same with A-Z too; both start and end with a letter or digit."},
            footer = {"", "Examples:", "  duplex pair label kv tier=db site=fra", "  duplex pair label kv site-"})
    static final class Label implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "PAIR")
        String name;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE|KEY-")
        List<String> changes = new ArrayList<>();

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Label(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            Labels after = context.services().get(PairLabelService.class).change(name, changes, Actor.operatingSystemUser());
            // For people the labels alone; for scripts the pair with its labels, as pair show prints it.
            context.printer().object(output, view(context.services().get(PairService.class).show(name), Optional.of(after)),
                    out -> out.println("Pair " + name + " labels: " + (after.values().isEmpty() ? "(none)" : after.toString())));
        }
    }

    @Command(name = "delete", description = "Forget a pair that no live job works on; its VMs and volumes stay, its jobs stay in the history.", footer = {"", "Examples:", "  duplex pair delete kv"})
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
            PairRecord deleted = context.services().get(PairService.class).delete(name, Actor.operatingSystemUser());
            context.printer().changed(output, "Pair " + name + " deleted; its VMs stay", view(deleted));
        }
    }

    /**
     * A pair as docs/output.md describes it (kind "pair"): {@code active} and {@code standby_vm} are
     * VM names, {@code standby_mode} says whether the standby runs (hot) or waits off (cold); the
     * role controller's secrets are redacted.
     */
    /** The pair's labels where this transport can read them (in process; a server does not serve them yet). */
    static Optional<Labels> labelsOf(CliContext context, String pair) {
        return context.services().find(PairLabelService.class).map(labels -> labels.of(pair));
    }

    static Map<String, Object> view(PairRecord pair) {
        return view(pair, Optional.empty());
    }

    static Map<String, Object> view(PairRecord pair, Optional<Labels> labels) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", pair.name());
        view.put("system0", pair.system0());
        view.put("system1", pair.system1());
        view.put("active_system", pair.activeSystem());
        view.put("active", pair.active());
        view.put("standby_vm", pair.standby());
        view.put("standby_mode", pair.standbyKind().name().toLowerCase(Locale.ROOT));
        view.put("role_controller", new java.util.TreeMap<>(Redaction.redactSettings(pair.roleController())));
        view.put("resync_gate", new java.util.TreeMap<>(pair.resyncGate()));
        // Shown when there are some: a server does not serve labels yet, and both transports must print alike.
        labels.filter(l -> !l.values().isEmpty()).ifPresent(l -> view.put("labels", new java.util.TreeMap<>(l.values())));
        return view;
    }
}
