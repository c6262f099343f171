package dev.duplex.driver.vmware;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A file on a datastore as vSphere names it, {@code [datastore] folder/file}. The relative path is
 * checked once here, so that nothing built from it (a file transfer URL, a disk name) can point
 * outside the datastore or at something else than the file meant: no empty, {@code .} or
 * {@code ..} part, no leading {@code /}, no backslash, no control character, at most
 * {@link #MAX_LENGTH} characters. Spaces and non-ASCII letters are legal (vSphere itself names a
 * VM folder {@code name (1)} when {@code name} is taken) and are encoded where they are sent.
 */
record DatastorePath(String datastore, String path) {
    /** vSphere's limit for a datastore path. */
    static final int MAX_LENGTH = 2048;

    DatastorePath {
        requireNonNull(datastore, "datastore is null");
        requireNonNull(path, "path is null");
        problem(datastore, path).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
    }

    /** Parses {@code [datastore] path}, or says in one line what is wrong with it. */
    static DatastorePath parse(String text) {
        requireNonNull(text, "text is null");
        int close = text.indexOf("] ");
        if (!text.startsWith("[") || close < 0) {
            throw new IllegalArgumentException("'" + dev.duplex.api.VisibleText.escape(text)
                    + "' is not a datastore path of the form '[datastore] folder/file'");
        }
        return new DatastorePath(text.substring(1, close), text.substring(close + 2));
    }

    /** Why {@code path} on {@code datastore} is unsafe to use, or empty when it is fine. */
    static Optional<String> problem(String datastore, String path) {
        String shown = "'" + dev.duplex.api.VisibleText.escape(path) + "' on datastore '" + dev.duplex.api.VisibleText.escape(datastore) + "'";
        if (datastore.isEmpty() || datastore.length() > 255 || hasControlOrSeparator(datastore, true)) {
            return Optional.of("'" + dev.duplex.api.VisibleText.escape(datastore) + "' is not a usable datastore name");
        }
        if (path.isEmpty() || path.length() > MAX_LENGTH) {
            return Optional.of("datastore path " + shown + " is empty or longer than " + MAX_LENGTH + " characters");
        }
        if (hasControlOrSeparator(path, false)) {
            return Optional.of("datastore path " + shown + " holds a control character or a backslash");
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return Optional.of("datastore path " + shown + " has an empty, '.' or '..' part; give a plain folder/file path");
            }
        }
        return Optional.empty();
    }

    private static boolean hasControlOrSeparator(String text, boolean slashToo) {
        return text.codePoints().anyMatch(c -> Character.isISOControl(c) || c == '\\' || slashToo && (c == '/' || c == '[' || c == ']'));
    }

    /** The folder this file is in, as a datastore path; the datastore's root folder has none. */
    Optional<DatastorePath> folder() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? Optional.empty() : Optional.of(new DatastorePath(datastore, path.substring(0, slash)));
    }

    /** {@code name} inside this folder. */
    DatastorePath resolve(String name) {
        return new DatastorePath(datastore, path + "/" + name);
    }

    @Override
    public String toString() {
        return "[" + datastore + "] " + path;
    }
}
