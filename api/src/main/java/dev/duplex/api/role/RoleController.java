package dev.duplex.api.role;

import java.util.Map;

/**
 * The application's side of an ACT/SBY pair: role changes and database resync are the
 * application's business, so the engine asks this instead of guessing.
 *
 * <p>Every method may throw {@link RoleControllerException} when the application cannot be
 * reached or answers something that is not a valid answer; the engine then stops before it
 * touches anything more. Implementations must be safe for use from several threads.
 */
public interface RoleController {
    /** A short description for messages, such as {@code exec} or {@code http}. */
    String describe();

    /**
     * The role of each member, as the members themselves report it. A member that does not
     * answer makes this throw; the engine calls it first, before any step, to refuse a pair whose
     * controller answers garbage.
     */
    Map<String, Role> roles(PairContext pair);

    /**
     * Makes {@code newActiveMember} the active and its peer the standby. Returns once both have
     * taken their new role. Calling it when the roles already are so does no harm.
     */
    void switchover(PairContext pair, String newActiveMember);

    /**
     * Makes {@code member} the active while its peer is down: a failover, after the old active was
     * fenced (powered off). Unlike {@link #switchover}, nothing is asked of the peer. Returns once
     * the member has taken the role; the engine then checks it with {@link #role}.
     *
     * <p>The default throws: a controller that cannot promote one member alone cannot fail a pair
     * over, and the engine refuses such a failover before it fences anything.
     */
    default void promote(PairContext pair, String member) {
        throw new RoleControllerException(describe(), member, "this role controller cannot promote a member while its peer is down");
    }

    /**
     * Whether {@link #promote} is implemented, so a failover can be refused before the old active
     * is fenced rather than after.
     */
    default boolean canPromote() {
        return false;
    }

    /**
     * The role {@code member} reports, asking that member only (its peer may be down). The
     * default asks every member through {@link #roles}.
     */
    default Role role(PairContext pair, String member) {
        Role role = roles(pair).get(member);
        if (role == null) {
            throw new RoleControllerException(describe(), member, "member " + member + " reports no role");
        }
        return role;
    }

    /** Whether the standby has caught up with the active. */
    ResyncStatus resyncStatus(PairContext pair, String standbyMember);

    /**
     * Asks the standby to catch up with what changed on the active while it was down. The
     * default does nothing, for applications that catch up on their own.
     */
    default void resync(PairContext pair, String standbyMember) {}

    /**
     * The member's health after it was started (the engine's check after S13, S23, S28). The
     * default calls {@link #roles} and counts a member that reports a role as healthy.
     */
    default HealthStatus health(PairContext pair, String member) {
        Role role = roles(pair).get(member);
        return role == null
                ? HealthStatus.unhealthy("member " + member + " reports no role")
                : HealthStatus.healthy("member " + member + " reports role " + role);
    }
}
