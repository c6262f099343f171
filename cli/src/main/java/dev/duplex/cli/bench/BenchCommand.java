package dev.duplex.cli.bench;

import picocli.CommandLine.Command;

/** {@code duplex bench ...}: measurements the issues' figures come from. */
@Command(name = "bench", description = {
    "Measure Duplex on this machine. Benchmarks report numbers; tests only check behaviour.",
    "Each benchmark runs in a throw-away Duplex home (its own embedded database and local driver state) that is deleted afterwards, so it leaves nothing behind."
}, footer = {"", "Examples:", "  duplex bench failover --runs 3"}, subcommands = {UpgradeBench.class, FailoverBench.class})
public final class BenchCommand {
}
