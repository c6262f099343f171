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
 */
public record UpgradeSettings(String node, Duration staleAfter, Duration heartbeatEvery, Duration resyncTimeout,
        Duration healthTimeout, Duration pollInterval, long assumedCopyBytesPerSecond) {
    public UpgradeSettings {
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

    public static UpgradeSettings defaults() {
        return new UpgradeSettings(dev.duplex.engine.audit.OperatingSystemUser.current() + "/" + ProcessHandle.current().pid(), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofMillis(200), 200L << 20);
    }

    public UpgradeSettings withNode(String newNode) {
        return new UpgradeSettings(newNode, staleAfter, heartbeatEvery, resyncTimeout, healthTimeout, pollInterval, assumedCopyBytesPerSecond);
    }

    public UpgradeSettings withStaleAfter(Duration newStaleAfter) {
        return new UpgradeSettings(node, newStaleAfter, heartbeatEvery, resyncTimeout, healthTimeout, pollInterval, assumedCopyBytesPerSecond);
    }

    public UpgradeSettings withTimeouts(Duration resync, Duration health, Duration poll) {
        return new UpgradeSettings(node, staleAfter, heartbeatEvery, resync, health, poll, assumedCopyBytesPerSecond);
    }
}
