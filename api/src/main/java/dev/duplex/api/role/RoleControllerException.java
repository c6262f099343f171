package dev.duplex.api.role;

import static java.util.Objects.requireNonNull;

/**
 * A role controller failed or answered something it should not have (garbage, a missing member,
 * two actives). The message names the controller, the member and what was wrong.
 */
public class RoleControllerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String controller;
    private final String member;

    public RoleControllerException(String controller, String member, String problem) {
        this(controller, member, problem, null);
    }

    public RoleControllerException(String controller, String member, String problem, Throwable cause) {
        super("Role controller " + requireNonNull(controller, "controller is null")
                + (member == null ? "" : " for member " + member) + ": " + requireNonNull(problem, "problem is null"), cause);
        this.controller = controller;
        this.member = member;
    }

    /** The controller's description ({@code exec}, {@code http}, ...). */
    public String controller() {
        return controller;
    }

    /** The member the call was about, or null for a pair-wide call. */
    public String member() {
        return member;
    }
}
