package dev.duplex.driver.local;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Identifiers of local objects: a readable slug of the name plus a random suffix. An id is also a
 * folder name, so ids coming back from callers are checked before they reach a path.
 */
final class Ids {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Ids() {}

    static String newId(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 40) {
            slug = slug.substring(0, 40);
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        return slug.isEmpty() ? suffix : slug + "-" + suffix;
    }

    /** Whether {@code id} can be a folder name of ours; anything else cannot name a local object. */
    static boolean isValid(String id) {
        return VALID.matcher(id).matches() && !id.contains("..");
    }
}
