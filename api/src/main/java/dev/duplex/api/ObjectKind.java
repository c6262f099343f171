package dev.duplex.api;

/** The kinds of object a driver works on, named in errors. */
public enum ObjectKind {
    ENDPOINT, IMAGE, VM, VOLUME, ENVIRONMENT_ITEM, VOLUME_SNAPSHOT;

    /** Lower-case words for messages: {@code "environment item"}. */
    public String words() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
