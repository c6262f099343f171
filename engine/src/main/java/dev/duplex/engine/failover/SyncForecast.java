package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.DiffBase;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.DiffEncoder;
import dev.duplex.engine.envsync.DiffFormatException;
import dev.duplex.engine.envsync.DiffInfo;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.envsync.SyncChooser;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.envsync.SyncPath;
import dev.duplex.engine.envsync.SyncWorkload;
import java.util.List;
import java.util.Optional;

/**
 * What a failover's sync phase would do now, predicted without writing anything: the same rules
 * as the sync itself (revisions equal and content matching: nothing; content not matching, or a
 * full write asked for: the whole info; else the stored diff, or one extracted now, weighed by the
 * standby's chooser), so that a dry run and {@code env status} say what a failover then does.
 */
public final class SyncForecast {
    private final EnvironmentArchive archive;
    private final EnvironmentSync sync;

    public SyncForecast(EnvironmentArchive archive, EnvironmentSync sync) {
        this.archive = requireNonNull(archive, "archive is null");
        this.sync = requireNonNull(sync, "sync is null");
    }

    /**
     * @param active the active's name, for the reasons given
     * @param standby the standby's name: its stored diffs and cost model
     * @param latest the active's latest recorded info (101), if any
     * @param standbyInfo the standby's info as read now (111)
     * @param fullWrite whether a full write is asked for
     */
    public SyncDecision predict(String active, String standby, Optional<StoredRevision> latest, EnvironmentSnapshot standbyInfo,
            boolean fullWrite) {
        if (latest.isEmpty()) {
            return nothingRecorded(active, standby);
        }
        EnvironmentSnapshot target = latest.get().snapshot();
        if (fullWrite) {
            return full("a full write was asked for (--full)");
        }
        if (standbyInfo.revision() == target.revision()) {
            List<String> differing = EnvironmentPush.differingItems(standbyInfo, target);
            return differing.isEmpty() ? none("the standby is already at revision " + target.revision())
                    : full("the standby's info at revision " + standbyInfo.revision() + " does not match the recorded one ("
                            + String.join(", ", differing) + ")");
        }
        Optional<byte[]> encoded = archive.diff(standby, standbyInfo.revision(), target.revision()).map(StoredDiff::encoded)
                .or(() -> sync.prepare(target, standbyInfo));
        if (encoded.isEmpty()) {
            return full("no stored diff");
        }
        try {
            DiffInfo diff = new DiffDecoder().decode(encoded.get(), DiffBase.of(standbyInfo));
            return chooser(standby).choose(SyncWorkload.of(diff, DiffEncoder.encodedSize(diff)));
        } catch (DiffFormatException e) {
            return full("the stored diff is unreadable (" + e.getMessage() + ")");
        }
    }

    /** With no info of the active recorded, the standby starts with its own. */
    public static SyncDecision nothingRecorded(String active, String standby) {
        return none("no environment info of " + active + " is recorded (duplex env push); " + standby + " keeps its own");
    }

    /** The standby's chooser: its calibrated model, else the half-size rule (also when the saved model is unreadable). */
    SyncChooser chooser(String standby) {
        return SyncChooser.of(model(standby));
    }

    /** The standby's saved cost model; empty when there is none; throws IllegalArgumentException when it is unreadable. */
    public Optional<CostModel> savedModel(String standby) {
        return archive.calibration(standby).map(CostModel::fromMap);
    }

    private Optional<CostModel> model(String standby) {
        try {
            return savedModel(standby);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static SyncDecision none(String reason) {
        return new SyncDecision(SyncPath.NONE, Optional.empty(), Optional.empty(), reason);
    }

    private static SyncDecision full(String reason) {
        return new SyncDecision(SyncPath.FULL, Optional.empty(), Optional.empty(), reason);
    }
}
