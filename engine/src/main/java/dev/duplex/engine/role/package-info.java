/**
 * The built-in role controllers ({@code exec}: commands; {@code http}: URLs), the factory that
 * picks one from a pair's settings, and {@link dev.duplex.engine.role.AfterSwitchover}, which
 * runs an extra action (repointing a service address) after a successful switchover.
 */
package dev.duplex.engine.role;
