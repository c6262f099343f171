package dev.duplex.engine.service;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.failover.FailoverPlan;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.upgrade.UpgradeListener;

/**
 * Seed S400 as the frontends ask for it: a cold pair failed over to its standby as one journaled
 * job, or its plan, touching nothing. One interface for both transports ({@link EngineFailoverService}
 * in this process, or over HTTP).
 */
public interface FailoverService {
    /**
     * Fails {@code pair} over to its standby.
     *
     * @param force go on when the old active cannot be confirmed off (risking two actives)
     * @param fullWrite write the standby's whole environment info, whatever the chooser says
     * @throws dev.duplex.engine.failover.FenceRefusedException when the old active cannot be confirmed off and {@code force} is false
     * @throws dev.duplex.engine.failover.FailoverException when a phase failed; the message says what state the pair is in
     */
    default FailoverReport failover(String pair, boolean force, boolean fullWrite, Actor actor) {
        return failover(pair, force, fullWrite, actor, UpgradeListener.NONE);
    }

    /**
     * {@link #failover(String, boolean, boolean, Actor)}, telling {@code progress} of each phase as it
     * starts and ends and of what the promote phase waits for (the listener upgrades report to, so a
     * frontend shows both alike).
     */
    FailoverReport failover(String pair, boolean force, boolean fullWrite, Actor actor, UpgradeListener progress);

    /** What {@link #failover} would do now, refused for the same reasons before the fence; changes nothing. */
    FailoverPlan plan(String pair, boolean fullWrite);
}
