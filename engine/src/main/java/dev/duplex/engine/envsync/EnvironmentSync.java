package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's two steps, without persistence: {@link #prepare} (S300, on every update of the
 * active's info: extract and encode the diff 103 between the active's latest info 101 and the
 * standby's 111) and {@link #failover} (S400: bring the standby's store to 101 by the diff or a
 * full write, as the chooser decides). Callers keep 101, 103 and the cost model where they like.
 */
public final class EnvironmentSync {
    private static final Logger log = LoggerFactory.getLogger(EnvironmentSync.class);

    private final DiffExtractor extractor;
    private final DiffEncoder encoder;
    private final DiffDecoder decoder;
    private final DiffApplier applier;
    private final FullWriter fullWriter;
    private final LongSupplier nanoClock;

    public EnvironmentSync() {
        this(new DiffExtractor(), new DiffEncoder(), new DiffDecoder(), new DiffApplier(), new FullWriter(),
                System::nanoTime);
    }

    public EnvironmentSync(DiffExtractor extractor, DiffEncoder encoder, DiffDecoder decoder, DiffApplier applier,
            FullWriter fullWriter, LongSupplier nanoClock) {
        this.extractor = requireNonNull(extractor, "extractor is null");
        this.encoder = requireNonNull(encoder, "encoder is null");
        this.decoder = requireNonNull(decoder, "decoder is null");
        this.applier = requireNonNull(applier, "applier is null");
        this.fullWriter = requireNonNull(fullWriter, "fullWriter is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    /**
     * S300: the encoded diff from the standby's info to the active's, or empty when their
     * revisions are equal (nothing to store; any stored diff is obsolete).
     */
    public Optional<byte[]> prepare(EnvironmentSnapshot active, EnvironmentSnapshot standby) {
        requireNonNull(active, "active is null");
        requireNonNull(standby, "standby is null");
        if (active.revision() == standby.revision()) {
            return Optional.empty();
        }
        // The smaller of FIG. 5 and its zstd container against the standby's info, which failover reads anyway.
        return Optional.of(encoder.encode(extractor.extract(standby, active), DiffBase.of(standby)));
    }

    /**
     * S400: brings {@code standby} to {@code active}'s revision. Nothing when the revisions are
     * equal; otherwise the stored diff if it matches the two revisions and the chooser predicts it
     * faster, else a full write. A diff the store refuses (its checks failed before writing) falls
     * back to a full write; the report says so.
     *
     * @param standby the standby's environment store (111)
     * @param active the active's latest info (101)
     * @param storedDiff the diff stored by {@link #prepare} (103), if any
     * @param chooser the chooser for this store
     * @throws TargetVerificationException when a write went through but did not read back as {@code active}
     */
    public SyncReport failover(EnvironmentStore standby, EnvironmentSnapshot active, Optional<byte[]> storedDiff,
            SyncChooser chooser) {
        requireNonNull(standby, "standby is null");
        requireNonNull(active, "active is null");
        requireNonNull(storedDiff, "storedDiff is null");
        requireNonNull(chooser, "chooser is null");
        EnvironmentSnapshot current = standby.read();
        long from = current.revision();
        if (from == active.revision()) {
            var decision = new SyncDecision(SyncPath.NONE, Optional.empty(), Optional.empty(),
                    "the standby is already at revision " + from);
            return new SyncReport(decision, SyncPath.NONE, from, from, Duration.ZERO, 0, Optional.empty(),
                    decision.reason());
        }
        Optional<DiffInfo> diff = usableDiff(storedDiff, current, active.revision());
        if (diff.isEmpty()) {
            String reason = storedDiff.isEmpty() ? "no stored diff" : "the stored diff does not match the revisions";
            var decision = new SyncDecision(SyncPath.FULL, Optional.empty(), Optional.empty(), reason);
            return full(standby, active, decision, reason, null, chooser);
        }
        // The FIG. 5 size, as before the container existed: the cost model was calibrated on it.
        SyncWorkload workload = SyncWorkload.of(diff.get(), DiffEncoder.encodedSize(diff.get()));
        SyncDecision decision = chooser.choose(workload);
        log.info("Environment sync {} -> {}: chose {}: {}", from, active.revision(), decision.path(), decision.reason());
        if (decision.path() == SyncPath.FULL) {
            return full(standby, active, decision, decision.reason(), workload, chooser);
        }
        long start = nanoClock.getAsLong();
        AppliedWrite write;
        try {
            write = applier.apply(standby, diff.get());
        } catch (SyncRefusedException e) {
            log.warn("Environment diff {} -> {} refused ({}), writing the whole info instead: {}", from,
                    active.revision(), e.check(), e.getMessage());
            return full(standby, active, decision, "diff refused (" + e.getMessage() + "); wrote the whole info",
                    workload, chooser);
        }
        Duration actual = Duration.ofNanos(nanoClock.getAsLong() - start);
        log.info("Environment sync {} -> {} by diff took {} (predicted {})", from, active.revision(), actual,
                decision.predictedDiff().map(Duration::toString).orElse("-"));
        return new SyncReport(decision, SyncPath.DIFF, from, write.toRevision(), actual, write.bytesWritten(),
                chooser.learn(SyncPath.DIFF, workload, actual), decision.reason());
    }

    /**
     * Writes the whole of {@code active} to {@code standby} whatever the revisions: when the
     * operator asks for it, or when the standby's content does not match its revision (a write
     * that was verified wrong, a store changed behind Duplex's back), which a diff cannot repair.
     */
    public SyncReport fullWrite(EnvironmentStore standby, EnvironmentSnapshot active, String reason) {
        requireNonNull(standby, "standby is null");
        requireNonNull(active, "active is null");
        var decision = new SyncDecision(SyncPath.FULL, Optional.empty(), Optional.empty(), reason);
        log.info("Environment sync to revision {}: full write: {}", active.revision(), reason);
        return full(standby, active, decision, reason, null, SyncChooser.of(Optional.empty()));
    }

    private SyncReport full(EnvironmentStore standby, EnvironmentSnapshot active, SyncDecision decision, String reason,
            SyncWorkload workload, SyncChooser chooser) {
        long start = nanoClock.getAsLong();
        AppliedWrite write = fullWriter.write(standby, active);
        Duration actual = Duration.ofNanos(nanoClock.getAsLong() - start);
        log.info("Environment sync {} -> {} by full write took {} (predicted {})", write.fromRevision(),
                write.toRevision(), actual, decision.predictedFull().map(Duration::toString).orElse("-"));
        Optional<CostModel> learned = workload == null || decision.path() != SyncPath.FULL
                ? Optional.empty()
                : chooser.learn(SyncPath.FULL, workload, actual);
        return new SyncReport(decision, SyncPath.FULL, write.fromRevision(), write.toRevision(), actual,
                write.bytesWritten(), learned, reason);
    }

    private Optional<DiffInfo> usableDiff(Optional<byte[]> stored, EnvironmentSnapshot standby, long activeRevision) {
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        long standbyRevision = standby.revision();
        try {
            DiffInfo diff = decoder.decode(stored.get(), DiffBase.of(standby));
            if (diff.header().baseRevision() != standbyRevision || diff.header().targetRevision() != activeRevision) {
                log.warn("Stored environment diff goes {} -> {} but the standby is at {} and the active at {}; "
                        + "writing the whole info", diff.header().baseRevision(), diff.header().targetRevision(),
                        standbyRevision, activeRevision);
                return Optional.empty();
            }
            return Optional.of(diff);
        } catch (DiffFormatException e) {
            log.warn("Stored environment diff is unreadable, writing the whole info: {}", e.getMessage());
            return Optional.empty();
        }
    }
}
