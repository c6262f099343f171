/**
 * Fleet upgrades: many pairs upgraded in waves — a canary first, then at most a set number of
 * pairs at once — stopping when too many fail. Each pair's upgrade is the ordinary pair upgrade,
 * which keeps one member serving; the fleet adds the order, the concurrency bound and the stop rule.
 */
package dev.duplex.engine.fleet;
