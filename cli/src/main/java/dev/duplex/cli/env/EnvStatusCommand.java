package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.CliContext;
import dev.duplex.cli.OutputFormat;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.service.EnvironmentService;
import dev.duplex.engine.service.EnvironmentStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code duplex env status}: where a pair's environment sync stands. */
@Command(name = "status", sortOptions = false, description = {
    "Show where a pair's environment sync stands.",
    "The active's latest recorded revision, the standby's current revision",
    "read through its driver, the diff stored for the next failover with its size and",
    "entries, the standby's cost model (or the half-size rule before",
    "calibration), and what a failover would choose now.",
}, footer = {"", "Examples:", "  duplex env status kvc", "  duplex env status kvc --output json"})
public final class EnvStatusCommand implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "PAIR")
    String pairName;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public EnvStatusCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        EnvironmentStatus status = context.services().get(EnvironmentService.class).status(pairName);
        Map<String, Object> fields = fields(status);
        if (output.format() == OutputFormat.JSON) {
            context.printer().object(fields);
            return;
        }
        fields.forEach((key, value) -> context.out().printf("%-20s %s%n", key.replace('_', ' ') + ":", value == null ? "-" : value));
        context.out().flush();
    }

    private static Map<String, Object> fields(EnvironmentStatus status) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("pair", status.pair());
        fields.put("active", status.active());
        fields.put("standby", status.standby());
        fields.put("standby_kind", status.standbyKind().name().toLowerCase(Locale.ROOT));
        fields.put("active_revision", status.activeLatest().map(EnvironmentStatus.Recorded::revision).orElse(null));
        fields.put("active_recorded_at", status.activeLatest().map(r -> r.recordedAt().toString()).orElse(null));
        fields.put("active_items", status.activeLatest().map(r -> r.items().stream()
                .map(i -> i.name() + " (" + i.sizeBytes() + " bytes)").collect(Collectors.joining(", "))).orElse(null));
        fields.put("standby_revision", status.standbyRevision().orElse(null));
        status.standbyError().ifPresent(error -> fields.put("standby_error", error));
        status.inSync().ifPresent(inSync -> fields.put("in_sync", inSync));
        fields.put("stored_diff", status.storedDiff().map(d -> d.baseRevision() + " -> " + d.targetRevision() + ": " + d.sizeBytes()
                + " bytes, " + d.entries() + " entries").orElse("none"));
        fields.put("chooser", status.model().map(m -> "calibrated model: " + Models.describe(m))
                .orElse(status.modelProblem().map(problem -> "half-size rule (saved model unreadable: " + problem + ")")
                        .orElse("half-size rule (" + status.standby() + " not calibrated: duplex env calibrate " + status.standby() + ")")));
        fields.put("failover_would", status.failoverWould().map(EnvStatusCommand::would)
                .orElse("unknown (the standby's store cannot be read)"));
        return fields;
    }

    private static String would(SyncDecision decision) {
        String path = switch (decision.path()) {
            case NONE -> "write nothing";
            case DIFF -> "apply the diff";
            case FULL -> "write the whole info";
        };
        return path + ": " + decision.reason();
    }
}
