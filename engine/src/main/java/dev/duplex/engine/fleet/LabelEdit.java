package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A change to a pair's labels, as {@code duplex pair label PAIR tier=db site-} writes it:
 * {@code key=value} sets, {@code key-} removes.
 *
 * @param set labels to set (a key already there gets the new value)
 * @param remove keys to remove (a key not there is no error: the label is gone either way)
 */
public record LabelEdit(Map<String, String> set, Set<String> remove) {
    public LabelEdit {
        set = Map.copyOf(requireNonNull(set, "set is null"));
        remove = Set.copyOf(requireNonNull(remove, "remove is null"));
        set.forEach((k, v) -> Labels.checkValue(Labels.checkKey(k), v));
        remove.forEach(Labels::checkKey);
        for (String key : remove) {
            if (set.containsKey(key)) {
                throw new IllegalArgumentException("Label '" + key + "' is both set and removed; give one of " + key + "=VALUE or " + key + "-");
            }
        }
    }

    /** Parses {@code key=value} and {@code key-} words; refuses anything else, naming it. */
    public static LabelEdit parse(List<String> words) {
        requireNonNull(words, "words is null");
        Map<String, String> set = new LinkedHashMap<>();
        Set<String> remove = new LinkedHashSet<>();
        for (String word : words) {
            requireNonNull(word, "label is null");
            int eq = word.indexOf('=');
            if (eq >= 0) {
                String key = Labels.checkKey(word.substring(0, eq));
                String value = Labels.checkValue(key, word.substring(eq + 1));
                String before = set.put(key, value);
                if (before != null && !before.equals(value)) {
                    throw new IllegalArgumentException("Label '" + key + "' is given twice (" + before + ", " + value + "); give it once");
                }
            } else if (word.endsWith("-") && word.length() > 1) {
                remove.add(Labels.checkKey(word.substring(0, word.length() - 1)));
            } else {
                throw new IllegalArgumentException("'" + Labels.printable(word) + "' is not a label change: write KEY=VALUE to set a label or KEY- to remove it");
            }
        }
        return new LabelEdit(set, remove);
    }

    /** Only {@code key=value} words (as {@code pair create --label} takes them). */
    public static Labels parseLabels(List<String> words) {
        LabelEdit edit = parse(words);
        if (!edit.remove().isEmpty()) {
            throw new IllegalArgumentException("A new pair has no label to remove (" + String.join(", ", edit.remove()) + "-); write KEY=VALUE");
        }
        return new Labels(edit.set());
    }

    public boolean isEmpty() {
        return set.isEmpty() && remove.isEmpty();
    }

    /** The labels after this change. */
    public Labels applyTo(Labels labels) {
        Map<String, String> after = new LinkedHashMap<>(labels.values());
        remove.forEach(after::remove);
        after.putAll(set);
        return new Labels(after);
    }
}
