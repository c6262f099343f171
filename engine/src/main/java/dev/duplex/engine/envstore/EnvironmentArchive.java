package dev.duplex.engine.envstore;

import java.util.Map;
import java.util.Optional;

/** The port where environment sync keeps revisions, diffs and calibrated cost models. */
public interface EnvironmentArchive {
    /** Records a revision; recording the same (target, revision) twice replaces it. */
    void saveRevision(StoredRevision revision);

    /** The newest revision recorded for a target. */
    Optional<StoredRevision> latestRevision(String target);

    /** A given revision of a target. */
    Optional<StoredRevision> revision(String target, long revision);

    void saveDiff(StoredDiff diff);

    /** The diff that takes {@code target} from {@code baseRevision} to {@code targetRevision}. */
    Optional<StoredDiff> diff(String target, long baseRevision, long targetRevision);

    /** Saves a calibrated cost model's coefficients for a target store. */
    void saveCalibration(String target, Map<String, String> coefficients);

    Optional<Map<String, String>> calibration(String target);
}
