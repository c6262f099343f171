package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepState;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The summary of an upgrade job, built from its journal (so it is the same whether the job ran
 * in one go or was resumed).
 *
 * @param jobId the job
 * @param kind {@code upgrade}, {@code upgrade-vm} or {@code rollback}
 * @param pair the pair (or VM) upgraded
 * @param strategy the strategy
 * @param state the job's state now
 * @param error why it failed, if it did
 * @param steps every journaled step, in journal order
 * @param singleSideWindows the times only one member served (S21→S24 and S26→S29, when they completed)
 * @param switchoverGap how long the switchover (S25) took: the only service gap
 * @param downtime for a single VM, S11 start to S13 end (it serves nobody meanwhile)
 * @param bytesCopied bytes copied by the strategy (a volume copy before boot, or a copy at boot)
 * @param total first step's start to last step's end
 */
public record UpgradeReport(long jobId, String kind, String pair, UpgradeStrategy strategy, JobState state, Optional<String> error,
        List<StepTiming> steps, List<SingleSideWindow> singleSideWindows, Optional<Duration> switchoverGap, Optional<Duration> downtime,
        long bytesCopied, Duration total) {
    /**
     * The step output in which a rollback keeps the last lines of the console of the VM it
     * deleted because it failed: the evidence of why, with the job.
     */
    public static final String FAILED_VM_CONSOLE = "failed-vm-console";

    public UpgradeReport {
        requireNonNull(kind, "kind is null");
        requireNonNull(pair, "pair is null");
        requireNonNull(strategy, "strategy is null");
        requireNonNull(state, "state is null");
        requireNonNull(error, "error is null");
        steps = List.copyOf(requireNonNull(steps, "steps is null"));
        singleSideWindows = List.copyOf(requireNonNull(singleSideWindows, "singleSideWindows is null"));
        requireNonNull(switchoverGap, "switchoverGap is null");
        requireNonNull(downtime, "downtime is null");
        requireNonNull(total, "total is null");
    }

    /** The longer of the single-side windows (the demo's {@code single_side_window_ms}); zero when none completed. */
    public Duration longestSingleSideWindow() {
        return singleSideWindows.stream().map(SingleSideWindow::length).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
    }

    /** The step of that id, if it was journaled. */
    public Optional<StepTiming> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    static UpgradeReport of(UpgradeJob job, JobState state, Optional<String> error, List<StepTiming> steps) {
        Map<String, StepTiming> byId = new java.util.LinkedHashMap<>();
        steps.forEach(s -> byId.put(s.id(), s));
        List<SingleSideWindow> windows = new java.util.ArrayList<>();
        if (job.isPair() && !job.kind().equals(UpgradeJob.KIND_ROLLBACK)) {
            String a = job.system(job.originalActive()).member();
            String s = job.system(1 - job.originalActive()).member();
            window(byId, a, "S21", "S24").ifPresent(windows::add);
            window(byId, s, "S26", "S29").ifPresent(windows::add);
        }
        Optional<Duration> gap = Optional.ofNullable(byId.get("S25")).filter(t -> t.state() == StepState.DONE).flatMap(StepTiming::elapsed);
        Optional<Duration> downtime = job.isPair() ? Optional.empty() : between(byId, "S11", "S13");
        long bytes = 0;
        for (StepTiming step : steps) {
            bytes += number(step.outputs().get("bytes-copied")) + number(step.outputs().get("boot-bytes-copied"));
        }
        Duration total = Duration.ZERO;
        if (!steps.isEmpty()) {
            var first = steps.stream().map(StepTiming::started).min(Comparator.naturalOrder()).orElseThrow();
            var last = steps.stream().map(t -> t.ended().orElse(t.started())).max(Comparator.naturalOrder()).orElseThrow();
            total = Duration.between(first, last);
        }
        return new UpgradeReport(job.id(), job.kind(), job.pair(), job.strategy(), state, error, steps, windows, gap, downtime, bytes, total);
    }

    private static Optional<SingleSideWindow> window(Map<String, StepTiming> byId, String servedBy, String from, String to) {
        return between(byId, from, to).map(length -> new SingleSideWindow(servedBy, from, to, length));
    }

    private static Optional<Duration> between(Map<String, StepTiming> byId, String from, String to) {
        StepTiming start = byId.get(from);
        StepTiming end = byId.get(to);
        if (start == null || end == null || end.state() != StepState.DONE || end.ended().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(start.started(), end.ended().get()));
    }

    private static long number(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
