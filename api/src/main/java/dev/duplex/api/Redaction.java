package dev.duplex.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and masks secrets in URIs (platform URIs, JDBC URLs, role-controller URLs) before they
 * reach a message, a log, the inventory or the audit log.
 *
 * <p>A secret is the password of a URI's user-info ({@code scheme://user:secret@host}) or the value
 * of a query or matrix parameter whose name says it holds one: {@code password}, {@code pass},
 * {@code pwd}, {@code passphrase}, {@code secret}, {@code token}, {@code key}, {@code api_key},
 * {@code sslpassword}, {@code credential}, {@code signature}, and any name ending in
 * {@code password}, {@code passwd}, {@code secret}, {@code token} or {@code apikey}/{@code api_key}
 * ({@code client_secret}, {@code access_token}, ...). Parameters that name a file holding a secret
 * ({@code keyfile}, {@code sslkey}, {@code authfile}) are paths, not secrets, and are kept.
 */
public final class Redaction {
    private static final String MASK = "***";
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/?#@:\\s]*):([^/?#@\\s]*)@");
    /** {@code ?name=value}, {@code &name=value}, {@code ;name=value}: group 1 up to '=', group 2 the name, group 3 the value. */
    private static final Pattern PARAMETER = Pattern.compile("([?&;]([^=&;#?\\s]+)=)([^&;#\\s]*)");
    private static final Set<String> SECRET_NAMES = Set.of("password", "passwd", "pass", "pwd", "passphrase", "secret",
            "token", "key", "apikey", "api_key", "api-key", "sslpassword", "credential", "credentials", "signature", "sig",
            "private_key", "privatekey", "auth_token", "x-auth-token");
    private static final List<String> SECRET_SUFFIXES = List.of("password", "passwd", "secret", "token", "apikey", "api_key",
            "api-key", "passphrase");

    private Redaction() {}

    /** Returns {@code uri} with the password of its user-info and the values of secret parameters replaced by {@code ***}. */
    public static String redactUri(String uri) {
        if (uri == null) {
            return null;
        }
        if (uri.indexOf('@') < 0 && uri.indexOf('=') < 0) {
            return uri; // neither pattern can match; listings redact every setting, so skip the regexes
        }
        String redacted = USER_INFO_PASSWORD.matcher(uri).replaceAll("$1:" + MASK + "@");
        Matcher parameters = PARAMETER.matcher(redacted);
        StringBuilder out = new StringBuilder();
        while (parameters.find()) {
            String replacement = isSecretName(parameters.group(2)) ? parameters.group(1) + MASK : parameters.group();
            parameters.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        parameters.appendTail(out);
        return out.toString();
    }

    /**
     * The secrets {@code uri} holds, each described without its value ({@code "a password in the
     * user-info"}, {@code "parameter 'api_key'"}); empty when it holds none. Used to refuse such URIs:
     * secrets belong in a credential file.
     */
    public static List<String> secretsIn(String uri) {
        List<String> found = new ArrayList<>();
        if (uri == null) {
            return found;
        }
        if (USER_INFO_PASSWORD.matcher(uri).find()) {
            found.add("a password in the user-info");
        }
        Matcher parameters = PARAMETER.matcher(uri);
        while (parameters.find()) {
            if (isSecretName(parameters.group(2))) {
                found.add("parameter '" + parameters.group(2) + "'");
            }
        }
        return List.copyOf(found);
    }

    /**
     * A copy of {@code settings} (driver properties, role-controller settings) with the value of
     * every key that names a secret ({@link #isSecretName}, or ending in {@code .<secret name>})
     * replaced by {@code ***}, and URIs among the values redacted; for listings and the audit log.
     */
    public static java.util.Map<String, String> redactSettings(java.util.Map<String, String> settings) {
        java.util.Map<String, String> shown = new java.util.TreeMap<>();
        settings.forEach((key, value) -> {
            String last = key.substring(key.lastIndexOf('.') + 1);
            shown.put(key, isSecretName(key) || isSecretName(last) ? MASK : redactUri(value));
        });
        return shown;
    }

    /** True when a parameter or property of this name holds a secret, by the rule in the class comment. */
    public static boolean isSecretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT).strip();
        return SECRET_NAMES.contains(lower) || SECRET_SUFFIXES.stream().anyMatch(lower::endsWith);
    }
}
