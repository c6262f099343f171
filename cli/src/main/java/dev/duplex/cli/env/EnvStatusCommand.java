package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.api.DriverException;
import dev.duplex.api.VmRef;
import dev.duplex.cli.CliContext;
import dev.duplex.cli.OutputFormat;
import dev.duplex.cli.Services;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envsync.DiffBase;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.DiffFormatException;
import dev.duplex.engine.envsync.SyncChooser;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.envsync.SyncWorkload;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
        Services services = context.services();
        Inventory inventory = services.inventory();
        EnvironmentArchive archive = services.get(EnvironmentArchive.class);
        PairRecord pair = inventory.pair(pairName).orElseThrow(() -> new NotInInventoryException("pair", pairName));
        VmRecord standby = inventory.vm(pair.standby()).orElseThrow(() -> new NotInInventoryException("VM", pair.standby()));

        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("pair", pair.name());
        fields.put("active", pair.active());
        fields.put("standby", pair.standby());
        fields.put("standby_kind", pair.standbyKind().name().toLowerCase(java.util.Locale.ROOT));
        Optional<StoredRevision> latest = archive.latestRevision(pair.active());
        fields.put("active_revision", latest.map(r -> r.snapshot().revision()).orElse(null));
        fields.put("active_recorded_at", latest.map(r -> r.receivedAt().toString()).orElse(null));
        fields.put("active_items", latest.map(r -> r.snapshot().items().stream()
                .map(i -> i.name() + " (" + i.size() + " bytes)").collect(Collectors.joining(", "))).orElse(null));
        OptionalLong standbyRevision = OptionalLong.empty();
        Optional<EnvironmentSnapshot> standbyInfo = Optional.empty();
        try {
            standbyInfo = Optional.of(services.connections().driver(standby.endpoint())
                    .environment(new VmRef(standby.driverRef(), standby.name())).read());
            standbyRevision = OptionalLong.of(standbyInfo.get().revision());
            fields.put("standby_revision", standbyRevision.getAsLong());
        } catch (DriverException e) {
            fields.put("standby_revision", null);
            fields.put("standby_error", e.getMessage());
        }

        Optional<StoredDiff> diff = Optional.empty();
        if (latest.isPresent() && standbyRevision.isPresent()) {
            long activeRevision = latest.get().snapshot().revision();
            diff = standbyRevision.getAsLong() == activeRevision ? Optional.empty()
                    : archive.diff(standby.name(), standbyRevision.getAsLong(), activeRevision);
            fields.put("in_sync", standbyRevision.getAsLong() == activeRevision);
        }
        fields.put("stored_diff", diff.map(d -> d.baseRevision() + " -> " + d.targetRevision() + ": " + d.size()
                + " bytes, " + d.entryCount() + " entries").orElse("none"));

        Optional<CostModel> model;
        try {
            model = archive.calibration(standby.name()).map(CostModel::fromMap);
            fields.put("chooser", model.map(m -> "calibrated model: " + Models.describe(m))
                    .orElse("half-size rule (" + standby.name() + " not calibrated: duplex env calibrate " + standby.name() + ")"));
        } catch (IllegalArgumentException e) {
            model = Optional.empty();
            fields.put("chooser", "half-size rule (saved model unreadable: " + e.getMessage() + ")");
        }
        fields.put("failover_would", wouldChoose(latest, standbyInfo, diff, model));

        if (output.format() == OutputFormat.JSON) {
            context.printer().object(fields);
            return;
        }
        fields.forEach((key, value) -> context.out().printf("%-20s %s%n", key.replace('_', ' ') + ":", value == null ? "-" : value));
        context.out().flush();
    }

    private static String wouldChoose(Optional<StoredRevision> latest, Optional<EnvironmentSnapshot> standbyInfo,
            Optional<StoredDiff> diff, Optional<CostModel> model) {
        OptionalLong standbyRevision = standbyInfo.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(standbyInfo.get().revision());
        if (latest.isEmpty()) {
            return "start the standby with its own info (nothing recorded for the active)";
        }
        if (standbyRevision.isEmpty()) {
            return "unknown (the standby's store cannot be read)";
        }
        if (standbyRevision.getAsLong() == latest.get().snapshot().revision()) {
            return "write nothing (revisions equal)";
        }
        if (diff.isEmpty()) {
            return "write the whole info (no stored diff from revision " + standbyRevision.getAsLong() + ")";
        }
        try {
            // A stored diff may be a zstd container against the standby's info; the chooser weighs its FIG. 5 size.
            DiffInfo decoded = new DiffDecoder().decode(diff.get().encoded(), DiffBase.of(standbyInfo.get()));
            SyncDecision decision = SyncChooser.of(model)
                    .choose(SyncWorkload.of(decoded, DiffEncoder.encodedSize(decoded)));
            return decision.path().name().toLowerCase(java.util.Locale.ROOT) + ": " + decision.reason();
        } catch (DiffFormatException e) {
            return "write the whole info (the stored diff is unreadable: " + e.getMessage() + ")";
        }
    }
}
