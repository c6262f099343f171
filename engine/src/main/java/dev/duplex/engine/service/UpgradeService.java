package dev.duplex.engine.service;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.config.ConfigKey;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradePlan;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.time.Duration;
import java.util.Optional;

/**
 * Upgrades as the frontends ask for them. One interface for both transports: {@link EngineUpgradeService}
 * runs them in this process (and, for the server, in the background); the CLI's HTTP client asks
 * a server to run them as jobs and follows their events.
 */
public interface UpgradeService {
    /** The engine settings this installation is configured with (one rule for CLI and server). */
    static UpgradeSettings settings(DuplexConfig config) {
        UpgradeSettings settings = UpgradeSettings.defaults()
                .withStaleAfter(config.duration(ConfigKey.JOB_STALE_AFTER))
                .withTimeouts(config.duration(ConfigKey.UPGRADE_RESYNC_TIMEOUT), config.duration(ConfigKey.UPGRADE_HEALTH_TIMEOUT),
                        Duration.ofMillis(100))
                .withSnapshotRetention(config.duration(ConfigKey.UPGRADE_SNAPSHOT_RETENTION));
        return config.get(ConfigKey.NODE_NAME).map(settings::withNode).orElse(settings);
    }

    /** Why the request has nothing to do (both members already run the target images), if so; touches nothing. */
    Optional<String> nothingToDo(UpgradeRequest request);

    /** Checks the request and predicts the run: steps, single-side window, switchover gap. Touches nothing. */
    UpgradePlan plan(UpgradeRequest request);

    /** Runs an upgrade of a pair until it ends or {@code listener} asks it to stop. */
    UpgradeReport run(UpgradeRequest request, UpgradeListener listener);

    /** {@link #nothingToDo(UpgradeRequest)} for a single VM. */
    Optional<String> nothingToDoVm(String vm, String image);

    /** Checks and predicts a single VM's upgrade (S11–S13); touches nothing. */
    UpgradePlan planVm(String vm, String image, UpgradeStrategy strategy);

    /** Upgrades a single VM (S11–S13). */
    UpgradeReport runVm(String vm, String image, UpgradeStrategy strategy, Actor actor, UpgradeListener listener);

    /**
     * Continues a live job from its journal.
     *
     * @param takeOverNow take the job over even though its owner's heartbeat is fresh: only when the owner is known dead
     */
    UpgradeReport resume(long jobId, boolean takeOverNow, UpgradeListener listener);

    /** Brings the pair (or VM) of a job back to its old images on the same volumes. */
    UpgradeReport rollback(long jobId, Actor actor, UpgradeListener listener);

    /** What {@link #rollback} would do now; touches nothing. */
    UpgradePlan planRollback(long jobId);

    /** A job's report from its journal, whatever its state. */
    UpgradeReport status(long jobId);

    /**
     * Follows a job that another process (or thread) runs until it ends or {@code listener} asks
     * to stop: each step's start, end or failure is passed to {@code listener} once. Changes nothing.
     *
     * @param pollEvery how often the journal is read again
     */
    UpgradeReport follow(long jobId, UpgradeListener listener, Duration pollEvery);

    /** The report of the newest upgrade or rollback job of a pair or single VM. */
    UpgradeReport latest(String target);
}
