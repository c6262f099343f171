package dev.duplex.cli.demo;

import static java.util.Objects.requireNonNull;

import dev.duplex.cli.ByteSize;
import dev.duplex.engine.demo.DemoProgress;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/** The demo's and the benchmarks' progress, one indented line per event. */
public final class ProgressLines implements DemoProgress {
    private final PrintWriter out;

    public ProgressLines(PrintWriter out) {
        this.out = requireNonNull(out, "out is null");
    }

    @Override
    public void filling(String volume, long bytes) {
        out.printf("  filling %s with %s of data%n", volume, ByteSize.format(bytes));
        out.flush();
    }

    @Override
    public void pairUp(String pair, List<String> members, int[] ports, int rate, int addressPort) {
        out.printf("  pair %s up (%s ACT on :%d, %s SBY on :%d); client load %d req/s through :%d%n", pair, members.get(0),
                ports[0], members.get(1), ports[1], rate, addressPort);
        out.flush();
    }

    @Override
    public void clientGap(long switchoverGapMs, Optional<String> timeline, long longestGapMs) {
        out.printf("  client gap at the switchover %d ms%s; longest client gap anywhere %d ms%n", switchoverGapMs,
                timeline.map(t -> ", from the last success before it: " + t + ", first success +" + switchoverGapMs + " ms")
                        .orElse(" (a success within 10 ms of the role change)"), longestGapMs);
        out.flush();
    }

    @Override
    public void discarded(String pair, List<String> volumes) {
        out.printf("   discarded pair %s and its volumes %s%n", pair, volumes);
        out.flush();
    }

    @Override
    public void problem(String what) {
        out.println("  (" + what + ")");
        out.flush();
    }
}
