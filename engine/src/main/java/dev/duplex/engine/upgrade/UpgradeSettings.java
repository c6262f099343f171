package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the upgrade engine behaves; a pair's {@code resyncGate} settings override the timeouts
 * ({@code timeout-ms}, {@code poll-ms}, {@code health-timeout-ms}).
 *
 * @param node this process's name in the job table (user@host/pid)
 * @param staleAfter a job whose owner has not sent a heartbeat for this long may be resumed by another process
 * @param heartbeatEvery how often the running job's heartbeat is refreshed
 * @param resyncTimeout how long the resync gate waits for the standby to be in sync
 * @param healthTimeout how long a started VM has to report healthy
 * @param pollInterval how often the gate and the health check ask
 * @param assumedCopyBytesPerSecond copy throughput the plan assumes before one was measured
 * @param snapshotRetention how long the safety snapshots of an upgrade that is over (succeeded, or rolled
 *     back) are kept before the next upgrade of the pair (or a prune) drops them; zero drops them as
 *     soon as the upgrade succeeds ({@code duplex.upgrade.snapshot-retention})
 */
public record UpgradeSettings(String node, Duration staleAfter, Duration heartbeatEvery, Duration resyncTimeout,
        Duration healthTimeout, Duration pollInterval, long assumedCopyBytesPerSecond, Duration snapshotRetention) {
    /** How long safety snapshots are kept by default: a day to notice what the new version did to the data. */
    public static final Duration DEFAULT_SNAPSHOT_RETENTION = Duration.ofHours(24);

    public UpgradeSettings {
        requireNonNull(snapshotRetention, "snapshotRetention is null");
        if (snapshotRetention.isNegative()) {
            throw new IllegalArgumentException("snapshot retention must be zero or more, not " + snapshotRetention);
        }
        requireNonNull(node, "node is null");
        requireNonNull(staleAfter, "staleAfter is null");
        requireNonNull(heartbeatEvery, "heartbeatEvery is null");
        requireNonNull(resyncTimeout, "resyncTimeout is null");
        requireNonNull(healthTimeout, "healthTimeout is null");
        requireNonNull(pollInterval, "pollInterval is null");
        if (assumedCopyBytesPerSecond <= 0) {
            throw new IllegalArgumentException("assumedCopyBytesPerSecond must be positive");
        }
    }

    /** Settings with the default snapshot retention. */
    public UpgradeSettings(String node, Duration staleAfter, Duration heartbeatEvery, Duration resyncTimeout,
            Duration healthTimeout, Duration pollInterval, long assumedCopyBytesPerSecond) {
        this(node, staleAfter, heartbeatEvery, resyncTimeout, healthTimeout, pollInterval, assumedCopyBytesPerSecond,
                DEFAULT_SNAPSHOT_RETENTION);
    }

    public static UpgradeSettings defaults() {
        return new UpgradeSettings(dev.duplex.engine.audit.OperatingSystemUser.current() + "/" + ProcessHandle.current().pid(), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofMillis(200), 200L << 20);
    }

    public UpgradeSettings withNode(String newNode) {
        return new UpgradeSettings(newNode, staleAfter, heartbeatEvery, resyncTimeout, healthTimeout, pollInterval, assumedCopyBytesPerSecond, snapshotRetention);
    }

    public UpgradeSettings withStaleAfter(Duration newStaleAfter) {
        return new UpgradeSettings(node, newStaleAfter, heartbeatEvery, resyncTimeout, healthTimeout, pollInterval, assumedCopyBytesPerSecond, snapshotRetention);
    }

    public UpgradeSettings withSnapshotRetention(Duration retention) {
        return new UpgradeSettings(node, staleAfter, heartbeatEvery, resyncTimeout, healthTimeout, pollInterval, assumedCopyBytesPerSecond,
                retention);
    }

    public UpgradeSettings withTimeouts(Duration resync, Duration health, Duration poll) {
        return new UpgradeSettings(node, staleAfter, heartbeatEvery, resync, health, poll, assumedCopyBytesPerSecond, snapshotRetention);
    }
}
