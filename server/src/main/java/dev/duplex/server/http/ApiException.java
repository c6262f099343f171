package dev.duplex.server.http;

import static java.util.Objects.requireNonNull;

/** A refusal the HTTP layer itself decides (a bad parameter, a missing token), answered as a problem of its family. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ProblemType type;

    public ApiException(ProblemType type, String detail) {
        super(detail);
        this.type = requireNonNull(type, "type is null");
    }

    public ProblemType type() {
        return type;
    }
}
