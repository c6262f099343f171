package dev.duplex.engine.fleet;

import dev.duplex.engine.upgrade.UpgradeReport;

/** Upgrades one pair of a fleet: the ordinary pair upgrade, with the fleet's image and strategy. */
@FunctionalInterface
public interface PairUpgrader {
    UpgradeReport upgrade(String pair);
}
