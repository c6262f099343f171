package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A pair's labels ({@code tier=db}, {@code site=fra}): what a fleet selects pairs by.
 *
 * <p>Keys are 1 to 63 lower-case letters, digits, {@code .}, {@code _}, {@code -}, starting and
 * ending with a letter or digit; values the same with upper case allowed. The rule is narrow on
 * purpose: labels are typed in shells and selectors ({@code ,} and {@code =} separate them) and
 * printed in tables, so nothing that needs quoting or could forge a column may be in one.
 *
 * @param values key to value, sorted by key
 */
public record Labels(Map<String, String> values) {
    public static final int MAX_LENGTH = 63;
    /** More labels than this on one pair is a mistake (a script gone wrong), not a fleet. */
    public static final int MAX_PER_PAIR = 32;

    private static final Pattern KEY = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
    static final String KEY_RULE = "1 to 63 of a-z 0-9 . _ -, starting and ending with a letter or digit";
    static final String VALUE_RULE = "1 to 63 of A-Z a-z 0-9 . _ -, starting and ending with a letter or digit";

    public Labels {
        requireNonNull(values, "values is null");
        values.forEach(Labels::checkKeyValue);
        if (values.size() > MAX_PER_PAIR) {
            throw new IllegalArgumentException("A pair has at most " + MAX_PER_PAIR + " labels, not " + values.size()
                    + "; remove some with 'duplex pair label PAIR KEY-'");
        }
        values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static Labels none() {
        return new Labels(Map.of());
    }

    /** Refuses a key that breaks the rule, naming it and the rule. */
    public static String checkKey(String key) {
        requireNonNull(key, "key is null");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Label key '" + printable(key) + "' is invalid: a key is " + KEY_RULE);
        }
        return key;
    }

    /** Refuses a value that breaks the rule, naming its key and the rule. */
    public static String checkValue(String key, String value) {
        requireNonNull(value, "value is null");
        if (!VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("Label " + printable(key) + "='" + printable(value) + "' has an invalid value: a value is "
                    + VALUE_RULE);
        }
        return value;
    }

    private static void checkKeyValue(String key, String value) {
        checkKey(key);
        checkValue(key, value);
    }

    /** True when every label of {@code selector} is here with the same value. */
    public boolean matches(Map<String, String> selector) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(values.get(e.getKey())));
    }

    /** {@code k=v,k=v}, sorted; empty when there are none. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(text.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return text.toString();
    }

    /** Shows a refused input in a one-line message: control characters escaped, long input cut. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > 80 ? out + "..." : out.toString();
    }
}
