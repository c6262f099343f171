package dev.duplex.engine.failover;

import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The environment archive in memory: revisions by (target, revision), diffs by (target, base, target), calibrations as a history. */
final class FakeArchive implements EnvironmentArchive {
    private final Map<String, StoredRevision> revisions = new LinkedHashMap<>();
    private final Map<String, StoredDiff> diffs = new LinkedHashMap<>();
    private final Map<String, List<Map<String, String>>> calibrations = new LinkedHashMap<>();

    @Override
    public synchronized void saveRevision(StoredRevision revision) {
        revisions.put(revision.target() + "@" + revision.snapshot().revision(), revision);
    }

    @Override
    public synchronized Optional<StoredRevision> latestRevision(String target) {
        return revisions.values().stream().filter(r -> r.target().equals(target))
                .max(Comparator.comparingLong(r -> r.snapshot().revision()));
    }

    @Override
    public synchronized Optional<StoredRevision> revision(String target, long revision) {
        return Optional.ofNullable(revisions.get(target + "@" + revision));
    }

    @Override
    public synchronized void saveDiff(StoredDiff diff) {
        diffs.put(diff.target() + "@" + diff.baseRevision() + ">" + diff.targetRevision(), diff);
    }

    @Override
    public synchronized Optional<StoredDiff> diff(String target, long baseRevision, long targetRevision) {
        return Optional.ofNullable(diffs.get(target + "@" + baseRevision + ">" + targetRevision));
    }

    synchronized List<StoredDiff> diffs() {
        return List.copyOf(diffs.values());
    }

    @Override
    public synchronized void saveCalibration(String target, Map<String, String> coefficients) {
        calibrations.computeIfAbsent(target, t -> new ArrayList<>()).add(Map.copyOf(coefficients));
    }

    @Override
    public synchronized Optional<Map<String, String>> calibration(String target) {
        List<Map<String, String>> history = calibrations.getOrDefault(target, List.of());
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }

    synchronized int calibrationCount(String target) {
        return calibrations.getOrDefault(target, List.of()).size();
    }
}
