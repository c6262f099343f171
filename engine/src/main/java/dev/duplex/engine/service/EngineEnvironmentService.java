package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.DriverException;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.ObjectName;
import dev.duplex.api.VmRef;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredRevision;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.failover.EndpointDrivers;
import dev.duplex.engine.failover.EnvironmentCalibration;
import dev.duplex.engine.failover.EnvironmentPush;
import dev.duplex.engine.failover.PushReport;
import dev.duplex.engine.failover.SyncForecast;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * A cold pair's operating-environment info, as the CLI and the server change it: pushing the
 * active's new revision (stored with its diff against the standby) and calibrating a standby's
 * cost model. Each is audited here, so every frontend records it the same way. Also where a
 * pair's sync stands, read without changing anything.
 */
public final class EngineEnvironmentService implements EnvironmentService {
    private final Inventory inventory;
    private final EnvironmentArchive archive;
    private final EndpointConnections connections;
    private final AuditTrail audit;

    @Inject
    public EngineEnvironmentService(Inventory inventory, EnvironmentArchive archive, EndpointConnections connections, AuditTrail audit) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.archive = requireNonNull(archive, "archive is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    /** What the audit log keeps of a push. */
    public record Pushed(String active, long revision, long diffBytes) {}

    /** What the audit log keeps of a calibration: the model, encoded. */
    public record Calibrated(String model) {}

    public PushReport push(String pair, EnvironmentSnapshot info, Actor actor) {
        PushReport report = new EnvironmentPush(inventory, archive, EndpointDrivers.of(connections)).push(pair, info);
        audit.created(actor, "env.push", "pair/" + pair, new Pushed(report.active(), info.revision(), report.diffBytes().orElse(0)));
        return report;
    }

    public CostModel calibrate(String vm, Actor actor) {
        CostModel model = new EnvironmentCalibration(inventory, archive, EndpointDrivers.of(connections)).calibrate(vm);
        audit.created(actor, "env.calibrate", "vm/" + vm, new Calibrated(model.encode()));
        return model;
    }

    /**
     * Where {@code pair}'s environment sync stands. Reads the inventory, the archive and the
     * standby's store; a store that cannot be read is reported in the status, not thrown.
     */
    public EnvironmentStatus status(String pairName) {
        ObjectName.check("pair", pairName);
        PairRecord pair = inventory.pair(pairName).orElseThrow(() -> new NotInInventoryException("pair", pairName));
        VmRecord standby = inventory.vm(pair.standby()).orElseThrow(() -> new NotInInventoryException("VM", pair.standby()));
        Optional<StoredRevision> latest = archive.latestRevision(pair.active());
        Optional<EnvironmentStatus.Recorded> recorded = latest.map(r -> new EnvironmentStatus.Recorded(r.snapshot().revision(),
                r.receivedAt(), r.snapshot().items().stream().map(i -> new EnvironmentStatus.Item(i.name(), i.size())).toList()));
        Optional<EnvironmentSnapshot> standbyInfo = Optional.empty();
        Optional<String> standbyError = Optional.empty();
        try {
            standbyInfo = Optional.of(connections.driver(standby.endpoint()).environment(new VmRef(standby.driverRef(), standby.name())).read());
        } catch (DriverException e) {
            standbyError = Optional.of(e.getMessage());
        }
        Optional<Long> standbyRevision = standbyInfo.map(EnvironmentSnapshot::revision);
        Optional<EnvironmentStatus.DiffSummary> diff = latest.isEmpty() || standbyRevision.isEmpty()
                || standbyRevision.get() == latest.get().snapshot().revision() ? Optional.empty()
                : archive.diff(standby.name(), standbyRevision.get(), latest.get().snapshot().revision())
                        .map(d -> new EnvironmentStatus.DiffSummary(d.baseRevision(), d.targetRevision(), d.size(), d.entryCount()));
        SyncForecast forecast = new SyncForecast(archive, new EnvironmentSync());
        Optional<CostModel> model = Optional.empty();
        Optional<String> modelProblem = Optional.empty();
        try {
            model = forecast.savedModel(standby.name());
        } catch (IllegalArgumentException e) {
            modelProblem = Optional.of(e.getMessage());
        }
        Optional<SyncDecision> would = latest.isEmpty() ? Optional.of(SyncForecast.nothingRecorded(pair.active(), standby.name()))
                : standbyInfo.map(info -> forecast.predict(pair.active(), standby.name(), latest, info, false));
        return new EnvironmentStatus(pair.name(), pair.active(), standby.name(), pair.standbyKind(), recorded, standbyRevision,
                standbyError, diff, model, modelProblem, would);
    }
}
