package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The one naming rule for every object a user names: endpoints, images, volumes, VMs, pairs.
 *
 * <p>A name ends up as a folder or file name (the local driver keeps an endpoint's state in a
 * folder named after it), in a platform's own name space, in a database row and in a terminal
 * table. The rule admits only what is harmless in all of them: 1 to {@value #MAX_LENGTH} ASCII
 * letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or a digit. So a
 * name is never {@code .} or {@code ..}, never starts with a dot or a dash (a hidden file, an
 * option), never holds a slash, a space, a control character or a look-alike letter from
 * another script.
 *
 * <p>The engine's inventory records check their names with it, and a driver that turns a name
 * into a path checks it again before doing so.
 */
public final class ObjectName {
    /** The longest name: a DNS label's length, which fits every platform we drive. */
    public static final int MAX_LENGTH = 63;

    /** The rule in words, for messages. */
    public static final String RULE = "a name is 1 to " + MAX_LENGTH
            + " characters from A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or a digit";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");

    private ObjectName() {}

    /** Whether {@code name} follows the rule; {@code null} does not. */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it follows the rule.
     *
     * @param kind what the name names, for the message ({@code "VM"}, {@code "endpoint"})
     * @throws IllegalArgumentException naming the kind, the name (control characters shown
     *     escaped) and the rule
     */
    public static String check(String kind, String name) {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, () -> kind + " name is null");
        if (!isValid(name)) {
            throw new IllegalArgumentException(problem(kind, name));
        }
        return name;
    }

    /** The one-line message for a name that breaks the rule: what, which name, the rule, what to do. */
    public static String problem(String kind, String name) {
        return "'" + VisibleText.escape(name) + "' is not a valid " + kind + " name: " + RULE + "; pick another name";
    }
}
