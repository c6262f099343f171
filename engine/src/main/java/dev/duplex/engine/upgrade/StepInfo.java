package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

/**
 * A step as shown to people.
 *
 * @param id {@code S21}..{@code S29}, {@code S11}..{@code S13}, or {@code R0}.. for a rollback
 * @param action what it does ({@code stop SBY kv-1})
 * @param member the member it acts on
 * @param servedBy who serves while it runs: {@code "kv-0 alone"}, {@code "kv-0 (ACT) + kv-1 (SBY)"},
 *     {@code "nobody (switchover gap)"}
 * @param singleSide whether only one member serves while it runs
 */
public record StepInfo(String id, String action, String member, String servedBy, boolean singleSide) {
    public StepInfo {
        requireNonNull(id, "id is null");
        requireNonNull(action, "action is null");
        requireNonNull(member, "member is null");
        requireNonNull(servedBy, "servedBy is null");
    }
}
