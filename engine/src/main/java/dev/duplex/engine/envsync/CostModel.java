package dev.duplex.engine.envsync;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Predicts, for one target store, how long applying a diff and writing the whole info take
 * (claims 2 and 3: the threshold is where both are equal):
 *
 * <pre>
 *   diff apply  = diffFixedNanos + nanosPerEntry · entries + nanosPerPage · pages touched (4 KiB)
 *   full write  = fullFixedNanos + nanosPerByte · bytes
 * </pre>
 *
 * {@link Calibration} fits the coefficients by measuring the store; {@link #observe} then
 * corrects them from each measured sync. A model is a value: persist it with {@link #toMap()} /
 * {@link #fromMap(Map)} or {@link #encode()} / {@link #decode(String)}.
 *
 * @param diffFixedNanos fixed cost of a diff apply
 * @param nanosPerEntry cost per entry
 * @param nanosPerPage cost per distinct page written
 * @param fullFixedNanos fixed cost of a full write
 * @param nanosPerByte cost per byte of a full write
 * @param observations how many measured syncs have corrected the calibrated coefficients
 */
public record CostModel(double diffFixedNanos, double nanosPerEntry, double nanosPerPage, double fullFixedNanos,
        double nanosPerByte, long observations) {

    /** Weight of one observation in {@link #observe(SyncPath, SyncWorkload, Duration)}. */
    public static final double OBSERVATION_WEIGHT = 0.2;

    private static final String[] KEYS = {
        "diffFixedNanos", "nanosPerEntry", "nanosPerPage", "fullFixedNanos", "nanosPerByte", "observations"};

    public CostModel {
        for (double c : new double[] {diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos, nanosPerByte}) {
            if (!(c >= 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("cost coefficients must be finite and 0 or more: " + c);
            }
        }
        if (observations < 0) {
            throw new IllegalArgumentException("observations must be 0 or more");
        }
    }

    /** Predicted nanoseconds of applying the diff of {@code workload}. */
    public double diffNanos(SyncWorkload workload) {
        return diffFixedNanos + nanosPerEntry * workload.entries() + nanosPerPage * workload.pagesTouched();
    }

    /** Predicted nanoseconds of writing the whole info of {@code workload}. */
    public double fullNanos(SyncWorkload workload) {
        return fullFixedNanos + nanosPerByte * workload.fullBytes();
    }

    /**
     * This model corrected by one measured sync: the coefficients of the path taken are scaled
     * by {@code 1 + w·(actual/predicted − 1)} with {@code w = 0.2} (an exponentially weighted
     * moving correction), the ratio clamped to [0.25, 4] so one outlier (a cold cache, a
     * stalled disk) cannot overturn the calibration. The other path's coefficients are kept.
     */
    public CostModel observe(SyncPath path, SyncWorkload workload, Duration actual) {
        double actualNanos = actual.toNanos();
        double predicted = switch (path) {
            case DIFF -> diffNanos(workload);
            case FULL -> fullNanos(workload);
            case NONE -> 0;
        };
        if (path == SyncPath.NONE || predicted <= 0 || actualNanos <= 0) {
            return this;
        }
        double ratio = Math.max(0.25, Math.min(4.0, actualNanos / predicted));
        double scale = 1 + OBSERVATION_WEIGHT * (ratio - 1);
        return path == SyncPath.DIFF
                ? new CostModel(diffFixedNanos * scale, nanosPerEntry * scale, nanosPerPage * scale,
                        fullFixedNanos, nanosPerByte, observations + 1)
                : new CostModel(diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos * scale,
                        nanosPerByte * scale, observations + 1);
    }

    /** The coefficients by name, values as Java's {@code Double.toString}. */
    public Map<String, String> toMap() {
        var map = new LinkedHashMap<String, String>();
        map.put(KEYS[0], Double.toString(diffFixedNanos));
        map.put(KEYS[1], Double.toString(nanosPerEntry));
        map.put(KEYS[2], Double.toString(nanosPerPage));
        map.put(KEYS[3], Double.toString(fullFixedNanos));
        map.put(KEYS[4], Double.toString(nanosPerByte));
        map.put(KEYS[5], Long.toString(observations));
        return map;
    }

    /** The model of a map written by {@link #toMap()}. */
    public static CostModel fromMap(Map<String, String> map) {
        try {
            return new CostModel(number(map, KEYS[0]), number(map, KEYS[1]), number(map, KEYS[2]),
                    number(map, KEYS[3]), number(map, KEYS[4]), Long.parseLong(value(map, KEYS[5])));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cost model has a value that is not a number: " + map, e);
        }
    }

    /** One line, {@code key=value} pairs separated by {@code ;}, e.g. for a database column. */
    public String encode() {
        return toMap().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
    }

    /** The model of a line written by {@link #encode()}. */
    public static CostModel decode(String line) {
        var map = new LinkedHashMap<String, String>();
        for (String pair : line.split(";")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("cost model pair without '=': '" + pair + "'");
            }
            map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return fromMap(map);
    }

    private static double number(Map<String, String> map, String key) {
        return Double.parseDouble(value(map, key));
    }

    private static String value(Map<String, String> map, String key) {
        String value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("cost model lacks '" + key + "'");
        }
        return value;
    }
}
