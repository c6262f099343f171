package dev.duplex.engine.service;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.failover.PushReport;

/**
 * A cold pair's operating-environment info, as the CLI and the server change it: pushing the
 * active's new revision, calibrating a standby's cost model, and where a pair's sync stands. One
 * interface for both transports ({@link EngineEnvironmentService} in this process, or over HTTP).
 */
public interface EnvironmentService {
    PushReport push(String pair, EnvironmentSnapshot info, Actor actor);

    CostModel calibrate(String vm, Actor actor);

    /** Where {@code pair}'s environment sync stands; changes nothing. */
    EnvironmentStatus status(String pairName);
}
