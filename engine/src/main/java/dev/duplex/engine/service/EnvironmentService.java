package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.failover.EndpointDrivers;
import dev.duplex.engine.failover.EnvironmentCalibration;
import dev.duplex.engine.failover.EnvironmentPush;
import dev.duplex.engine.failover.PushReport;
import dev.duplex.engine.inventory.Inventory;
import jakarta.inject.Inject;

/**
 * A cold pair's operating-environment info, as the CLI and the server change it: pushing the
 * active's new revision (stored with its diff against the standby) and calibrating a standby's
 * cost model. Each is audited here, so every frontend records it the same way.
 */
public final class EnvironmentService {
    private final Inventory inventory;
    private final EnvironmentArchive archive;
    private final EndpointConnections connections;
    private final AuditTrail audit;

    @Inject
    public EnvironmentService(Inventory inventory, EnvironmentArchive archive, EndpointConnections connections, AuditTrail audit) {
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
}
