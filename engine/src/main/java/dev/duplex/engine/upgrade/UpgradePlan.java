package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * What an upgrade would do, predicted without touching anything ({@code --dry-run}).
 *
 * @param pair the pair (or VM)
 * @param strategy the strategy
 * @param members each member with its endpoint and driver, by system
 * @param steps the steps in order, with who serves during each and its predicted duration
 * @param predictedSingleSideWindow the longer of the two times only one member serves (S21→S24, S26→S29)
 * @param predictedServiceGap the switchover (S25)
 * @param predictedTotal all steps
 * @param bytesToCopy what the strategy copies (0 for {@code link})
 * @param basis how the durations were predicted
 * @param notes what the operator should know before it starts, in plain words: what happens to each
 *     member's operating-environment info, and to a VM's writes under {@code copy-at-boot}
 */
public record UpgradePlan(String pair, UpgradeStrategy strategy, List<PlannedMember> members, List<PlannedStep> steps, Duration predictedSingleSideWindow,
        Duration predictedServiceGap, Duration predictedTotal, long bytesToCopy, String basis, List<String> notes) {
    public UpgradePlan {
        requireNonNull(pair, "pair is null");
        requireNonNull(strategy, "strategy is null");
        members = List.copyOf(requireNonNull(members, "members is null"));
        steps = List.copyOf(requireNonNull(steps, "steps is null"));
        requireNonNull(predictedSingleSideWindow, "predictedSingleSideWindow is null");
        requireNonNull(predictedServiceGap, "predictedServiceGap is null");
        requireNonNull(predictedTotal, "predictedTotal is null");
        requireNonNull(basis, "basis is null");
        notes = List.copyOf(requireNonNull(notes, "notes is null"));
    }
}
