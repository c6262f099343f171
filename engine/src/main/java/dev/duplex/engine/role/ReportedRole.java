package dev.duplex.engine.role;

import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import java.util.Optional;

/**
 * What a member says its role is, asked once; empty when it does not answer (stopped,
 * unreachable, garbage). The engine's confirmations read silence as "not known", never as a role.
 */
public final class ReportedRole {
    private ReportedRole() {}

    public static Optional<Role> of(RoleController controller, PairContext pair, String member) {
        try {
            return Optional.of(controller.role(pair, member));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
