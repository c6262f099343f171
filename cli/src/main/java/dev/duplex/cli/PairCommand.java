package dev.duplex.cli;

import dev.duplex.api.Redaction;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.service.CreatePair;
import dev.duplex.engine.service.PairService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex pair create|list|show|delete}. */
@Command(name = "pair", description = "ACT/SBY pairs: system 0 and system 1, one of them active.",
        subcommands = {PairCommand.Create.class, PairCommand.ListPairs.class, PairCommand.Show.class, PairCommand.Delete.class})
public final class PairCommand {
    @Command(name = "create", description = {
        "Create a pair of two VMs. Role changes and resync are the application's: say how to reach it.",
        "Example: duplex pair create kv --system0 kv-0 --system1 kv-1 --active 0 \\",
        "           --role-controller type=http --role-controller kv-0.url=http://127.0.0.1:7000 ..."
    })
    static final class Create implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME", converter = ObjectNameConverter.class)
        String name;

        @Option(names = "--system0", required = true, paramLabel = "VM", converter = ObjectNameConverter.class)
        String system0;

        @Option(names = "--system1", required = true, paramLabel = "VM", converter = ObjectNameConverter.class)
        String system1;

        @Option(names = "--active", defaultValue = "0", description = "Which system is active now: 0 or 1 (default: ${DEFAULT-VALUE}).")
        int active;

        @Option(names = "--standby", defaultValue = "hot", description = "hot (running, upgraded side by side) or cold (off until failover). Default: ${DEFAULT-VALUE}.")
        String standby;

        @Option(names = "--role-controller", paramLabel = "KEY=VALUE", description = "Role controller setting (type=exec|http, ...); repeatable.")
        Map<String, String> roleController = new LinkedHashMap<>();

        @Option(names = "--resync", paramLabel = "KEY=VALUE", description = "Resync gate setting (timeout-ms, poll-ms); repeatable.")
        Map<String, String> resync = new LinkedHashMap<>();

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
            PairRecord pair = context.services().get(PairService.class).create(
                    new CreatePair(name, system0, system1, active, kind, roleController, resync), Actor.operatingSystemUser());
            context.out().println("Pair " + name + " created: system 0 = " + system0 + ", system 1 = " + system1
                    + ", active = system " + active + " (" + pair.active() + ")");
            context.out().flush();
        }
    }

    @Command(name = "list", description = "List pairs.")
    static final class ListPairs implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListPairs(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<List<Object>> rows = new ArrayList<>();
            for (PairRecord p : context.services().get(PairService.class).list()) {
                rows.add(List.of(p.name(), p.system0(), p.system1(), p.active(), p.standbyKind().name().toLowerCase(Locale.ROOT)));
            }
            context.printer().rows(output.format(), List.of("name", "system0", "system1", "active", "standby"), rows);
        }
    }

    @Command(name = "show", description = "Show a pair with its members, roles and settings.")
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
            PairRecord pair = context.services().get(PairService.class).show(name);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("name", pair.name());
            fields.put("system0", pair.system0());
            fields.put("system1", pair.system1());
            fields.put("active", pair.active());
            fields.put("standby", pair.standby());
            fields.put("standby_kind", pair.standbyKind().name().toLowerCase(Locale.ROOT));
            fields.put("role_controller", Redaction.redactSettings(pair.roleController()));
            fields.put("resync_gate", pair.resyncGate());
            context.printer().fields(output.format(), fields);
        }
    }

    @Command(name = "delete", description = "Forget a pair that no live job works on; its VMs and volumes stay, its jobs stay in the history.")
    static final class Delete implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Delete(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            context.services().get(PairService.class).delete(name, Actor.operatingSystemUser());
            context.out().println("Pair " + name + " deleted; its VMs stay");
            context.out().flush();
        }
    }
}
