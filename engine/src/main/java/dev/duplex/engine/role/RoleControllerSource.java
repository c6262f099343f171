package dev.duplex.engine.role;

import dev.duplex.engine.inventory.PairRecord;

/** Gives the role controller of a pair. {@link RoleControllers} is the usual one; a demo may wrap it. */
@FunctionalInterface
public interface RoleControllerSource {
    dev.duplex.api.role.RoleController forPair(PairRecord pair);
}
