package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a credential file holds: the user's password on its first line, or a Keystone
 * application credential as {@code key=value} lines ({@code application_credential_id} or
 * {@code application_credential_name}, and {@code application_credential_secret}). No
 * {@code toString} shows a secret.
 */
sealed interface CloudCredential {
    String SECRET = "application_credential_secret";
    String ID = "application_credential_id";
    String NAME = "application_credential_name";

    /** A user's password. */
    record Password(String password) implements CloudCredential {
        public Password {
            requireNonNull(password, "password is null");
        }

        @Override
        public String toString() {
            return "password";
        }
    }

    /**
     * An application credential, found by its id, or by its name among the endpoint's user's.
     * It is bound to its project: Keystone takes no other scope with it.
     */
    record ApplicationCredential(Optional<String> id, Optional<String> name, String secret) implements CloudCredential {
        public ApplicationCredential {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
            requireNonNull(secret, "secret is null");
            if (id.isEmpty() == name.isEmpty()) {
                throw new IllegalArgumentException("give " + ID + " or " + NAME + ", one of them");
            }
        }

        @Override
        public String toString() {
            return "application credential " + id.map(i -> "id " + i).orElseGet(() -> "'" + name.orElseThrow() + "'");
        }
    }

    /**
     * Reads a credential file's text; {@code where} names the file in messages.
     *
     * @throws IllegalArgumentException naming the line that is wrong (never its secret)
     */
    static CloudCredential parse(String text, String where) {
        if (!text.contains(SECRET + "=")) {
            int end = text.indexOf('\n');
            String line = end < 0 ? text : text.substring(0, end);
            return new Password(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
        Map<String, String> values = new HashMap<>();
        String[] lines = text.split("\r?\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            String key = equals < 0 ? "" : line.substring(0, equals).strip();
            if (!key.equals(SECRET) && !key.equals(ID) && !key.equals(NAME)) {
                throw new IllegalArgumentException(where + " line " + (n + 1) + " is not " + ID + "=, " + NAME + "= or " + SECRET
                        + "=; an application credential file holds only these");
            }
            if (values.put(key, line.substring(equals + 1).strip()) != null) {
                throw new IllegalArgumentException(where + " gives " + key + " twice (line " + (n + 1) + "); keep one");
            }
        }
        if (values.getOrDefault(SECRET, "").isEmpty()) {
            throw new IllegalArgumentException(where + " has an empty " + SECRET + "; write the secret Keystone gave");
        }
        Optional<String> id = Optional.ofNullable(values.get(ID)).filter(v -> !v.isEmpty());
        Optional<String> name = Optional.ofNullable(values.get(NAME)).filter(v -> !v.isEmpty());
        if (id.isEmpty() == name.isEmpty()) {
            throw new IllegalArgumentException(where + " must give " + ID + " or " + NAME + " (one of them) beside " + SECRET);
        }
        return new ApplicationCredential(id, name, values.get(SECRET));
    }
}
