package dev.duplex.engine.upgrade;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Predicts step durations for a plan. Each step is of one kind (stop, link, start + health,
 * resync, switchover); its time without copying is the mean of that kind's steps in the pair's
 * earlier successful upgrade jobs (any strategy), or an assumed default when there are none. Copy
 * time (before boot for {@code snapshot-copy}, at boot for {@code copy-at-boot}) is the member's
 * database size divided by the copy throughput measured in those jobs, or by the assumed
 * throughput of {@link UpgradeSettings#assumedCopyBytesPerSecond()}.
 */
final class StepTimePredictor {
    enum Kind {
        STOP(Duration.ofSeconds(2)), LINK(Duration.ofSeconds(1)), START(Duration.ofSeconds(5)), RESYNC(Duration.ofSeconds(1)),
        SWITCHOVER(Duration.ofMillis(300));

        final Duration assumed;

        Kind(Duration assumed) {
            this.assumed = assumed;
        }

        static Kind of(String stepId) {
            return switch (stepId) {
                case "S11", "S21", "S26" -> STOP;
                case "S12", "S22", "S27" -> LINK;
                case "S13", "S23", "S28" -> START;
                case "S24", "S29" -> RESYNC;
                case "S25" -> SWITCHOVER;
                default -> throw new IllegalArgumentException("no kind for step " + stepId);
            };
        }
    }

    private final Map<Kind, long[]> sums = new EnumMap<>(Kind.class); // [total ms, count]
    private final long assumedBytesPerSecond;
    private long copiedBytes;
    private long copyMillis;
    private int jobs;

    StepTimePredictor(JobQueue jobQueue, String pair, long assumedBytesPerSecond) {
        this.assumedBytesPerSecond = assumedBytesPerSecond;
        for (Job job : jobQueue.jobs(pair)) {
            if (job.state() != JobState.SUCCEEDED || !(job.kind().equals(UpgradeJob.KIND_PAIR) || job.kind().equals(UpgradeJob.KIND_VM))) {
                continue;
            }
            jobs++;
            for (StepRecord step : jobQueue.journal(job.id())) {
                if (step.state() != StepState.DONE || step.endedAt().isEmpty()) {
                    continue;
                }
                Kind kind;
                try {
                    kind = Kind.of(step.stepId());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                long ms = Duration.between(step.startedAt(), step.endedAt().get()).toMillis();
                long copyMs = number(step.outputs().get("copy-ms")) + number(step.outputs().get("boot-copy-ms"));
                long bytes = number(step.outputs().get("bytes-copied")) + number(step.outputs().get("boot-bytes-copied"));
                if (bytes > 0 && copyMs > 0) {
                    copiedBytes += bytes;
                    copyMillis += copyMs;
                }
                long[] sum = sums.computeIfAbsent(kind, k -> new long[2]);
                sum[0] += Math.max(0, ms - copyMs);
                sum[1]++;
            }
        }
    }

    PlannedStep predict(StepInfo step, UpgradeStrategy strategy, long memberVolumeBytes) {
        Kind kind = Kind.of(step.id());
        long[] sum = sums.get(kind);
        Duration base = sum == null ? kind.assumed : Duration.ofMillis(sum[0] / sum[1]);
        String basis = sum == null ? "assumed " + kind.name().toLowerCase(java.util.Locale.ROOT) + " time"
                : "mean of " + sum[1] + " earlier " + kind.name().toLowerCase(java.util.Locale.ROOT) + " steps";
        boolean copies = (kind == Kind.LINK && strategy.copiesVolume()) || (kind == Kind.START && strategy.copiesAtBoot());
        if (copies && memberVolumeBytes > 0) {
            long bytesPerSecond = copyMillis > 0 ? Math.max(1, copiedBytes * 1000 / copyMillis) : assumedBytesPerSecond;
            Duration copy = Duration.ofMillis(memberVolumeBytes * 1000 / bytesPerSecond);
            base = base.plus(copy);
            basis += " + copy of " + mib(memberVolumeBytes) + " at " + mib(bytesPerSecond) + "/s"
                    + (copyMillis > 0 ? " measured" : " assumed");
        }
        return new PlannedStep(step, base, basis);
    }

    /**
     * A rollback step, predicted from the upgrade steps it repeats: bringing a member back on its
     * old image is a stop, a re-create and a start; R0 only reads.
     */
    PlannedStep predictRepeating(StepInfo step, List<Kind> kinds) {
        Duration total = Duration.ZERO;
        boolean measured = false;
        for (Kind kind : kinds) {
            long[] sum = sums.get(kind);
            total = total.plus(sum == null ? kind.assumed : Duration.ofMillis(sum[0] / sum[1]));
            measured |= sum != null;
        }
        String names = String.join(" + ", kinds.stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).toList());
        return new PlannedStep(step, total, kinds.isEmpty() ? "asks the platform, the inventory and the members only"
                : (measured ? "earlier " : "assumed ") + names + " time");
    }

    String basis() {
        return jobs == 0 ? "no earlier upgrade of this pair: assumed step times and copy throughput of " + mib(assumedBytesPerSecond) + "/s"
                : "step times of " + jobs + " earlier successful upgrade job(s) of this pair"
                        + (copyMillis > 0 ? ", copy throughput measured in them" : ", assumed copy throughput of " + mib(assumedBytesPerSecond) + "/s");
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
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

    static List<String> singleSideSteps(int half) {
        return half == 0 ? List.of("S21", "S22", "S23", "S24") : List.of("S26", "S27", "S28", "S29");
    }
}
