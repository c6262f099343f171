package dev.duplex.server.metrics;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;

/**
 * The engine's figures as Prometheus metrics. Upgrade steps are recorded through
 * {@link #upgradeSteps()}, a listener the server hands every job it runs; the other methods are
 * the hooks for what the engine does not report through a listener yet (failover phases, driver
 * calls, the seed-003 sync choice): the engine's services can be given this object and call them.
 */
public final class OperationMetrics {
    private final MeterRegistry registry;

    public OperationMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** How long one step of an operation took ({@code operation}: upgrade, failover; {@code outcome}: done, failed). */
    public void step(String operation, String step, Duration elapsed, String outcome) {
        Timer.builder("duplex.step.duration").description("Duration of one step of an upgrade (S11-S13, S21-S29) or a failover phase")
                .tag("operation", operation).tag("step", step).tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry).record(elapsed);
    }

    /** The time only one member of a pair served (S21-S24, S26-S29). */
    public void singleSideWindow(String pair, Duration length) {
        Timer.builder("duplex.pair.single.side.window").description("Time only one member of the pair served during an upgrade")
                .tag("pair", pair).register(registry).record(length);
    }

    /** The switchover gap (S25): the only time the pair served nobody. */
    public void switchoverGap(String pair, Duration length) {
        Timer.builder("duplex.pair.switchover.gap").description("Service gap of the switchover (S25)")
                .tag("pair", pair).register(registry).record(length);
    }

    /** A failover's choice between the diff and the full write (seed 003, S400), and how long the sync took. */
    public void environmentSync(String path, Duration elapsed, long bytesWritten) {
        Timer.builder("duplex.envsync.duration").description("Operating-environment sync at failover").tag("path", path)
                .register(registry).record(elapsed);
        DistributionSummary.builder("duplex.envsync.bytes").baseUnit("bytes").tag("path", path).register(registry).record(bytesWritten);
    }

    /** One call into a driver. */
    public void driverCall(String driver, String operation, String outcome, Duration elapsed) {
        Timer.builder("duplex.driver.calls").description("Calls into hypervisor drivers")
                .tag("driver", driver).tag("operation", operation).tag("outcome", outcome).register(registry).record(elapsed);
    }

    /** A listener recording each upgrade step's duration under {@code duplex_step_duration_seconds}. */
    public UpgradeListener upgradeSteps() {
        return new UpgradeListener() {
            @Override
            public void stepEnded(long jobId, StepInfo step, Duration elapsed, Map<String, String> outputs) {
                step("upgrade", step.id(), elapsed, "done");
            }

            @Override
            public void stepFailed(long jobId, StepInfo step, Duration elapsed, String error) {
                step("upgrade", step.id(), elapsed, "failed");
            }
        };
    }
}
