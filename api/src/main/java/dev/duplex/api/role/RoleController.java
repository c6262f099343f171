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
     * fenced (powered off), or a switchover whose old active was stopped because it did not report
     * SBY after {@link #demote}. Unlike {@link #switchover}, nothing is asked of the peer. Returns once
     * the member has taken the role; the engine then checks it with {@link #role}. Like
     * {@link #takeOver}, calling it when the member already is the active must do no harm.
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
     * Whether {@link #demote} is implemented. When it is, a switchover that the old active's stop
     * follows at once (the switchover of an upgrade) is done in two calls the engine checks in between: the old
     * active first stops taking writes, then the new one takes the role.
     */
    default boolean canDemote() {
        return false;
    }

    /**
     * Makes the active {@code member} stop taking writes, because it is stopped right after (an
     * upgrade's switchover, before its old VM is replaced). It may step down to SBY, or simply stop serving writes: a database that
     * becomes a standby only by restarting (a PostgreSQL primary) need not restart, since it is
     * stopped next anyway. Returns once it takes no more writes.
     *
     * <p>Unless the member then reports SBY, the engine stops its VM through the driver and
     * confirms it stopped before the peer is made active, so the two never take writes at the same
     * time. It calls {@link #takeOver} when the member reports SBY, and {@link #promote} when its
     * VM was stopped.
     *
     * <p>The default throws: such a controller switches over with {@link #switchover} alone.
     *
     * @return the role the member stated in its answer to the demote, when it stated one (saving
     *     a request inside the switchover gap); empty, and the engine asks {@link #role}
     */
    default java.util.Optional<Role> demote(PairContext pair, String member) {
        throw new RoleControllerException(describe(), member, "this role controller cannot demote a member on its own");
    }

    /**
     * Makes {@code member} the active after its peer was {@linkplain #demote demoted} and reports
     * SBY: the member catches up with the peer (which is still running) and takes the role.
     * Returns once it has. The default is {@link #switchover}, which asks the peer to step down
     * again (harmless: it is SBY already).
     *
     * <p>Calling it when the member already is the active must do no harm: when the call fails
     * (no answer in time) but the member then reports ACT, the engine calls it once more, so that
     * an action composed after it runs.
     */
    default void takeOver(PairContext pair, String member) {
        switchover(pair, member);
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
     * The member's health after it was started (the engine's check after each start of a new image). The
     * default calls {@link #roles} and counts a member that reports a role as healthy.
     */
    default HealthStatus health(PairContext pair, String member) {
        Role role = roles(pair).get(member);
        return role == null
                ? HealthStatus.unhealthy("member " + member + " reports no role")
                : HealthStatus.healthy("member " + member + " reports role " + role);
    }
}
