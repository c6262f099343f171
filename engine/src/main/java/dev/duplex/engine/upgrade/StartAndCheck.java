package dev.duplex.engine.upgrade;

import dev.duplex.api.BootReport;
import dev.duplex.api.DriverException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmState;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.RoleControllerException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * S23/S28 (S13): starts the member's new VM — its database volume is mounted (or copied in) at
 * boot — and waits until the member reports healthy, running the expected software version when
 * it reports one. A VM that does not start or does not become healthy in time is a
 * {@link StepFailure.HealthCheckFailed}; the engine then brings the member back on its old image.
 */
final class StartAndCheck implements UpgradeStep {
    private final StepInfo info;
    private final String member;
    private final String image;

    /**
     * @param image the member's new image: its software version (from the inventory, when it
     *     records one) is what the started member must report, when it reports one
     */
    StartAndCheck(StepInfo info, String member, String image) {
        this.info = info;
        this.member = member;
        this.image = image;
    }

    @Override
    public StepInfo info() {
        return info;
    }

    @Override
    public Map<String, String> run(UpgradeRun run) {
        Map<String, String> outputs = new LinkedHashMap<>();
        VmInfo vm = run.currentVm(member).orElseThrow(() -> new StepFailure("The VM the inventory names for " + member
                + " (" + run.vmRecord(member).driverRef() + ") is gone from endpoint " + run.vmRecord(member).endpoint()));
        long started = System.nanoTime();
        if (vm.state() != VmState.RUNNING) {
            try {
                BootReport boot = run.driver(member).start(vm.vm());
                outputs.put("boot-bytes-copied", Long.toString(boot.bytesCopied()));
                outputs.put("boot-copy-ms", Long.toString(boot.copyTime().toMillis()));
            } catch (DriverException e) {
                throw new StepFailure.HealthCheckFailed("VM " + vm.vm() + " of " + member + " did not start: " + e.getMessage(), e);
            }
        } else {
            outputs.put("already-running", "true");
        }
        outputs.put("start-ms", Long.toString((System.nanoTime() - started) / 1_000_000));
        HealthStatus health = awaitHealthy(run);
        health.version().ifPresent(v -> outputs.put("version", v));
        outputs.put("health", health.detail());
        return outputs;
    }

    private HealthStatus awaitHealthy(UpgradeRun run) {
        Duration timeout = run.healthTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> expectedVersion = run.softwareVersion(image);
        String last = "no answer yet";
        RuntimeException lastError = null;
        while (true) {
            try {
                HealthStatus health = run.roleController().health(run.pairContext(), member);
                if (health.healthy()) {
                    if (expectedVersion.isPresent() && health.version().isPresent()
                            && !health.version().get().equals(expectedVersion.get())) {
                        throw new StepFailure.HealthCheckFailed(member + " reports software version " + health.version().get()
                                + " but its new image holds " + expectedVersion.get(), null);
                    }
                    return health;
                }
                last = health.detail();
                lastError = null;
            } catch (RoleControllerException e) {
                last = e.getMessage();
                lastError = e;
            }
            if (run.state(member) == VmState.CRASHED) {
                throw new StepFailure.HealthCheckFailed("VM of " + member + " crashed after it started; last health answer: " + last, lastError);
            }
            if (System.nanoTime() >= deadline) {
                throw new StepFailure.HealthCheckFailed(member + " did not report healthy within " + timeout.toMillis()
                        + " ms; last answer: " + last, lastError);
            }
            run.listener().waiting(run.job().id(), info, "health of " + member + ": " + last);
            run.pause();
        }
    }
}
