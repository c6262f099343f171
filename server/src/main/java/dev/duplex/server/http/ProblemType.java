package dev.duplex.server.http;

/**
 * The error families of the API, each with a stable RFC 9457 {@code type} a client may branch on.
 * Their titles never change with the case; the {@code detail} says what went wrong this time.
 */
public enum ProblemType {
    NOT_FOUND("not-found", 404, "Not found"),
    CONFLICT("conflict", 409, "Refused: conflicts with the current state"),
    VALIDATION("validation", 400, "Invalid request"),
    UNAUTHORIZED("unauthorized", 401, "Missing or invalid bearer token"),
    FORBIDDEN("forbidden", 403, "The token's role does not allow this"),
    UNAVAILABLE("unavailable", 503, "Not accepting this now"),
    PLATFORM("platform", 502, "The virtualisation platform refused or failed"),
    INTERNAL("internal", 500, "Internal error");

    private static final String PREFIX = "urn:duplex:problem:";

    private final String key;
    private final int status;
    private final String title;

    ProblemType(String key, int status, String title) {
        this.key = key;
        this.status = status;
        this.title = title;
    }

    /** The {@code type} member: {@code urn:duplex:problem:not-found}, ... */
    public String uri() {
        return PREFIX + key;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
