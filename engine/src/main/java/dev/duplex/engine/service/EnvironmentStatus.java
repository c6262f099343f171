package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.inventory.StandbyKind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a pair's environment sync stands: the active's latest recorded revision (101), the
 * standby's as its driver reads it now (111), the stored diff between them (103), the standby's
 * cost model, and what a failover would do now.
 *
 * @param standbyRevision empty when the standby's store could not be read; {@code standbyError} says why
 * @param storedDiff the stored diff from the standby's revision to the active's, when they differ and one is stored
 * @param model the standby's calibrated cost model; empty before calibration or when the saved one is unreadable ({@code modelProblem})
 * @param failoverWould what a failover's sync would do; empty when the standby's store could not be read
 */
public record EnvironmentStatus(String pair, String active, String standby, StandbyKind standbyKind, Optional<Recorded> activeLatest,
        Optional<Long> standbyRevision, Optional<String> standbyError, Optional<DiffSummary> storedDiff, Optional<CostModel> model,
        Optional<String> modelProblem, Optional<SyncDecision> failoverWould) {
    public EnvironmentStatus {
        requireNonNull(pair, "pair is null");
        requireNonNull(active, "active is null");
        requireNonNull(standby, "standby is null");
        requireNonNull(standbyKind, "standbyKind is null");
        requireNonNull(activeLatest, "activeLatest is null");
        requireNonNull(standbyRevision, "standbyRevision is null");
        requireNonNull(standbyError, "standbyError is null");
        requireNonNull(storedDiff, "storedDiff is null");
        requireNonNull(model, "model is null");
        requireNonNull(modelProblem, "modelProblem is null");
        requireNonNull(failoverWould, "failoverWould is null");
    }

    /** Whether the standby is at the active's latest recorded revision; empty when either is unknown. */
    public Optional<Boolean> inSync() {
        return activeLatest.flatMap(latest -> standbyRevision.map(revision -> revision == latest.revision()));
    }

    /** The active's latest recorded info, without its content. */
    public record Recorded(long revision, Instant recordedAt, List<Item> items) {
        public Recorded {
            requireNonNull(recordedAt, "recordedAt is null");
            items = List.copyOf(items);
        }
    }

    /** One item of the info, by name and size. */
    public record Item(String name, long sizeBytes) {
        public Item {
            requireNonNull(name, "name is null");
        }
    }

    /** A stored diff (103), without its bytes. */
    public record DiffSummary(long baseRevision, long targetRevision, long sizeBytes, int entries) {}
}
