package dev.duplex.engine.envsync;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Predicts, for one target store, how long applying a diff and writing the whole info take
 * (claims 2 and 3: the threshold is where both are equal):
 *
 * <pre>
 *   diff apply  = (diffFixedNanos + nanosPerEntry · entries + nanosPerPage · pages touched (4 KiB)
 *                  + nanosPerSpan · separate writes) · correction
 *   full write  = (fullFixedNanos + nanosPerByte · bytes) · correction
 * </pre>
 *
 * {@link Calibration} fits the coefficients by measuring the store. Each sync then measured is
 * kept ({@link #observe}, the last {@value #RECENT_PER_PATH} per path) and corrects later
 * predictions of that path (and of the other path while it has none of its own, since a store
 * that got slower got slower for both): the correction is the median ratio measured ÷ calibrated of the
 * {@value #NEAREST} observations whose calibrated prediction is nearest the one being made
 * (nearest on a log scale), clamped to [1/16, 16] (wide: a calibration taken during a burst of
 * load was seen 10× off, and the median already ignores a lone stall). A median of near neighbours follows a store
 * that got slower or faster, fixes a calibration that is off for big diffs but right for small
 * ones, and is not moved by one stalled write. The coefficients stay the calibrated ones, so the
 * corrections never compound. A model is a value: persist it with {@link #toMap()} /
 * {@link #fromMap(Map)} or {@link #encode()} / {@link #decode(String)}; the observations travel
 * in the same map.
 *
 * <p>{@code noiseNanos} is how far apart two measurements of one and the same write fell during
 * calibration: two predictions closer than that cannot be told apart on this store, so a chooser
 * says such a pick is a near tie (a model saved before it existed has 0).
 *
 * @param diffFixedNanos fixed cost of a diff apply
 * @param nanosPerEntry cost per entry
 * @param nanosPerPage cost per distinct page written
 * @param fullFixedNanos fixed cost of a full write
 * @param nanosPerByte cost per byte of a full write
 * @param observations how many measured syncs have been observed since calibration
 * @param recent the latest measured syncs, oldest first
 * @param noiseNanos the spread of repeated measurements of one write on this store
 * @param nanosPerSpan cost per separate write (a seek) of a diff apply, beyond its pages (a model saved before
 *     it existed has 0)
 */
public record CostModel(double diffFixedNanos, double nanosPerEntry, double nanosPerPage, double fullFixedNanos,
        double nanosPerByte, long observations, List<Observation> recent, double noiseNanos, double nanosPerSpan) {

    /** Observations kept per path. */
    public static final int RECENT_PER_PATH = 16;
    /** Observations a correction is the median of. */
    public static final int NEAREST = 5;
    /** The bounds of a correction. */
    public static final double MIN_CORRECTION = 1.0 / 16;
    public static final double MAX_CORRECTION = 16;
    /** The bound of a correction borrowed from the other path. */
    public static final double MAX_BORROWED = 2;

    private static final String OBSERVATION_PREFIX = "observation.";
    private static final String[] KEYS = {
        "diffFixedNanos", "nanosPerEntry", "nanosPerPage", "fullFixedNanos", "nanosPerByte", "observations"};
    private static final String NOISE_KEY = "noiseNanos";
    private static final String SPAN_KEY = "nanosPerSpan";

    /**
     * One measured sync.
     *
     * @param path the path taken, DIFF or FULL
     * @param workload what it carried (its entries, pages and full bytes; the rest is not kept)
     * @param nanos how long it took
     */
    public record Observation(SyncPath path, SyncWorkload workload, long nanos) {
        public Observation {
            requireNonNull(path, "path is null");
            requireNonNull(workload, "workload is null");
            if (path == SyncPath.NONE || nanos <= 0) {
                throw new IllegalArgumentException("an observation is a DIFF or FULL sync that took some time");
            }
            // Only what the model predicts from is kept (and persisted).
            workload = new SyncWorkload(0, workload.entries(), 0, workload.pagesTouched(), workload.fullBytes(),
                    workload.spans());
        }

        String encode() {
            return path + ":" + workload.entries() + ":" + workload.pagesTouched() + ":" + workload.fullBytes() + ":"
                    + nanos + ":" + workload.spans();
        }

        static Observation decode(String value) {
            String[] parts = value.split(":");
            if (parts.length != 5 && parts.length != 6) {
                throw new IllegalArgumentException(
                        "cost model observation is not PATH:entries:pages:bytes:nanos[:spans]: '" + value + "'");
            }
            // An observation saved before spans were counted has none: its prediction is the one it was made with.
            long spans = parts.length == 6 ? Long.parseLong(parts[5]) : 0;
            return new Observation(SyncPath.valueOf(parts[0]), new SyncWorkload(0, Long.parseLong(parts[1]), 0,
                    Long.parseLong(parts[2]), Long.parseLong(parts[3]), spans), Long.parseLong(parts[4]));
        }
    }

    public CostModel {
        for (double c : new double[] {diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos, nanosPerByte,
            noiseNanos, nanosPerSpan}) {
            if (!(c >= 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("cost coefficients must be finite and 0 or more: " + c);
            }
        }
        if (observations < 0) {
            throw new IllegalArgumentException("observations must be 0 or more");
        }
        recent = List.copyOf(requireNonNull(recent, "recent is null"));
    }

    /** A calibrated model with no observations kept. */
    public CostModel(double diffFixedNanos, double nanosPerEntry, double nanosPerPage, double fullFixedNanos,
            double nanosPerByte, long observations) {
        this(diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos, nanosPerByte, observations, List.of(), 0, 0);
    }

    /** A model with observations and no noise floor. */
    public CostModel(double diffFixedNanos, double nanosPerEntry, double nanosPerPage, double fullFixedNanos,
            double nanosPerByte, long observations, List<Observation> recent) {
        this(diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos, nanosPerByte, observations, recent, 0, 0);
    }

    /** A model with observations, a noise floor and no cost per span. */
    public CostModel(double diffFixedNanos, double nanosPerEntry, double nanosPerPage, double fullFixedNanos,
            double nanosPerByte, long observations, List<Observation> recent, double noiseNanos) {
        this(diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos, nanosPerByte, observations, recent,
                noiseNanos, 0);
    }

    /** This model with {@code noise} as its noise floor. */
    public CostModel withNoise(double noise) {
        return new CostModel(diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos, nanosPerByte, observations,
                recent, noise, nanosPerSpan);
    }

    /** Predicted nanoseconds of applying the diff of {@code workload}. */
    public double diffNanos(SyncWorkload workload) {
        return calibrated(SyncPath.DIFF, workload) * correction(SyncPath.DIFF, workload);
    }

    /** Predicted nanoseconds of writing the whole info of {@code workload}. */
    public double fullNanos(SyncWorkload workload) {
        return calibrated(SyncPath.FULL, workload) * correction(SyncPath.FULL, workload);
    }

    private double calibrated(SyncPath path, SyncWorkload workload) {
        return path == SyncPath.DIFF
                ? diffFixedNanos + nanosPerEntry * workload.entries() + nanosPerPage * workload.pagesTouched()
                        + nanosPerSpan * workload.spans()
                : fullFixedNanos + nanosPerByte * workload.fullBytes();
    }

    /**
     * The median measured ÷ calibrated ratio of the observations of {@code path} nearest
     * {@code workload}; while {@code path} has none, that of the other path's. Failover measures only
     * the path it takes: if a slower store raised the taken path's predictions alone, the chooser
     * would flee to the path never measured just because it was never measured.
     */
    private double correction(SyncPath path, SyncWorkload workload) {
        boolean own = recent.stream().anyMatch(o -> o.path() == path);
        if (own) {
            return nearestRatio(path, calibrated(path, workload));
        }
        // Borrowed, it says how much slower the store got, not how wrong the other path's calibration
        // is (seen: a diff fixed cost fitted as 0 under load made its ratio 6840), so it stays within 2x.
        SyncPath other = path == SyncPath.DIFF ? SyncPath.FULL : SyncPath.DIFF;
        return Math.max(1 / MAX_BORROWED, Math.min(MAX_BORROWED, nearestRatio(other, calibrated(path, workload))));
    }

    /** The median ratio of the observations of {@code path} whose calibrated prediction is nearest {@code nanos}. */
    private double nearestRatio(SyncPath path, double nanos) {
        double here = Math.log(Math.max(1, nanos));
        double[] ratios = recent.stream()
                .filter(o -> o.path() == path && calibrated(path, o.workload()) > 0)
                .sorted(Comparator.comparingDouble(o -> Math.abs(Math.log(Math.max(1, calibrated(path, o.workload())))
                        - here)))
                .limit(NEAREST)
                .mapToDouble(o -> o.nanos() / calibrated(path, o.workload()))
                .sorted()
                .toArray();
        if (ratios.length == 0) {
            return 1;
        }
        double median = ratios.length % 2 == 1
                ? ratios[ratios.length / 2]
                : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
        return Math.max(MIN_CORRECTION, Math.min(MAX_CORRECTION, median));
    }

    /**
     * This model with one more measured sync kept (the oldest of its path dropped past
     * {@value #RECENT_PER_PATH}); the coefficients are unchanged, later predictions of that path
     * are corrected by it. A NONE path or a zero time teaches nothing.
     */
    public CostModel observe(SyncPath path, SyncWorkload workload, Duration actual) {
        requireNonNull(path, "path is null");
        requireNonNull(workload, "workload is null");
        requireNonNull(actual, "actual is null");
        if (path == SyncPath.NONE || actual.toNanos() <= 0) {
            return this;
        }
        var kept = new ArrayList<>(recent);
        kept.add(new Observation(path, workload, actual.toNanos()));
        long ofPath = kept.stream().filter(o -> o.path() == path).count();
        for (var it = kept.iterator(); ofPath > RECENT_PER_PATH && it.hasNext(); ) {
            if (it.next().path() == path) {
                it.remove();
                ofPath--;
            }
        }
        return new CostModel(diffFixedNanos, nanosPerEntry, nanosPerPage, fullFixedNanos, nanosPerByte,
                observations + 1, kept, noiseNanos, nanosPerSpan);
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
        map.put(NOISE_KEY, Double.toString(noiseNanos));
        map.put(SPAN_KEY, Double.toString(nanosPerSpan));
        for (int i = 0; i < recent.size(); i++) {
            map.put(OBSERVATION_PREFIX + i, recent.get(i).encode());
        }
        return map;
    }

    /** The model of a map written by {@link #toMap()}. */
    public static CostModel fromMap(Map<String, String> map) {
        try {
            // Observations are numbered 0, 1, ... oldest first; a model saved before they existed has none.
            var recent = new ArrayList<Observation>();
            for (int i = 0; map.containsKey(OBSERVATION_PREFIX + i); i++) {
                recent.add(Observation.decode(map.get(OBSERVATION_PREFIX + i)));
            }
            return new CostModel(number(map, KEYS[0]), number(map, KEYS[1]), number(map, KEYS[2]),
                    number(map, KEYS[3]), number(map, KEYS[4]), Long.parseLong(value(map, KEYS[5])), recent,
                    map.containsKey(NOISE_KEY) ? number(map, NOISE_KEY) : 0,
                    map.containsKey(SPAN_KEY) ? number(map, SPAN_KEY) : 0);
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
