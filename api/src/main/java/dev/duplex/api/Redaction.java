package dev.duplex.api;

import java.util.regex.Pattern;

/** Masks secrets in URIs before they reach a message or a log. */
public final class Redaction {
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/:@]*):[^@/]*@");
    private static final Pattern SECRET_QUERY =
            Pattern.compile("(?i)([?&;](?:password|passwd|pwd|secret|token|key)=)[^&;]*");

    private Redaction() {}

    /** Returns {@code uri} with the password of its user-info and secret query parameters replaced by {@code ***}. */
    public static String redactUri(String uri) {
        if (uri == null) {
            return null;
        }
        String redacted = USER_INFO_PASSWORD.matcher(uri).replaceAll("$1:***@");
        return SECRET_QUERY.matcher(redacted).replaceAll("$1***");
    }
}
