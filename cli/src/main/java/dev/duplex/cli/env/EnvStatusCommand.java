package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.CliContext;
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
        context.printer().object(output, view(status), out -> {
            text(status).forEach((key, value) -> out.printf("%-20s %s%n", key.replace('_', ' ') + ":", value == null ? "-" : value));
        });
    }

    /** Where the sync stands as docs/output.md describes it (kind "env_status"): data, no prose but the reasons. */
    static Map<String, Object> view(EnvironmentStatus status) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("pair", status.pair());
        view.put("active", status.active());
        view.put("standby_vm", status.standby());
        view.put("standby_mode", status.standbyKind().name().toLowerCase(Locale.ROOT));
        view.put("active_revision", status.activeLatest().map(EnvironmentStatus.Recorded::revision));
        view.put("active_recorded_at", status.activeLatest().map(EnvironmentStatus.Recorded::recordedAt));
        view.put("active_items", status.activeLatest().map(r -> r.items().stream().map(i -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", i.name());
            item.put("size_bytes", i.sizeBytes());
            return item;
        }).toList()));
        view.put("standby_revision", status.standbyRevision());
        view.put("standby_error", status.standbyError());
        view.put("in_sync", status.inSync());
        view.put("stored_diff", status.storedDiff().map(d -> {
            Map<String, Object> diff = new LinkedHashMap<>();
            diff.put("base_revision", d.baseRevision());
            diff.put("target_revision", d.targetRevision());
            diff.put("size_bytes", d.sizeBytes());
            diff.put("entries", d.entries());
            return diff;
        }));
        Map<String, Object> chooser = new LinkedHashMap<>();
        chooser.put("rule", status.model().isPresent() ? "cost_model" : "half_size");
        chooser.put("cost_model", status.model().map(Models::view));
        chooser.put("model_problem", status.modelProblem());
        view.put("chooser", chooser);
        view.put("failover_would", status.failoverWould().map(decision -> {
            Map<String, Object> would = new LinkedHashMap<>();
            would.put("path", decision.path().name());
            would.put("reason", decision.reason());
            would.put("predicted_diff_ms", decision.predictedDiff());
            would.put("predicted_full_ms", decision.predictedFull());
            return would;
        }));
        return view;
    }

    /** The same, in sentences for people. */
    private static Map<String, Object> text(EnvironmentStatus status) {
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
