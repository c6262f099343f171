/**
 * The role-controller SPI: what only the application of an ACT/SBY pair knows — which member is
 * active, how to switch over, whether the standby's database has caught up, and whether a member
 * is healthy. The upgrade engine asks a {@link dev.duplex.api.role.RoleController} instead of
 * guessing from power states. Built-in controllers (exec hooks, HTTP hooks) live in the engine;
 * third parties may add their own through {@link dev.duplex.api.role.RoleControllerProvider}.
 */
package dev.duplex.api.role;
