package dev.duplex.bench.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one real-fleet run measured.
 *
 * @param pairs pairs in the fleet (the pair upgraded alone first is not one of them)
 * @param inFlight the fleet's max-in-flight
 * @param waves waves of the fleet's plan (the canary wave included)
 * @param alone one pair's upgrade, alone, under the same load, through the same fleet service
 * @param measured the fleet's upgrade, wall time
 * @param fleetState the fleet job's end state
 * @param pairsSucceeded fleet pairs whose upgrade succeeded
 * @param membersOnNewImage members (of every pair, the lone one included) on image v2 at the end, by the inventory
 * @param load the client load's counts over the whole run
 * @param lostWrites acknowledged writes the pair's active no longer had at the end
 * @param pairsChecked pairs checked at the end (the fleet's and the lone one)
 * @param checksumsEqual pairs whose two members' logs are equal at the end and whose records from before the run are unchanged on both
 * @param problems what was not as expected, one line each
 * @param memberCpuMs CPU time of each member at the end (its whole life: start, replication, load), ms
 * @param memberStartCpuMs CPU time each member took to start (interpreter, imports, reading its log), ms
 * @param memberRssKb peak resident memory of each member, KiB
 * @param meanPairTime the fleet's pair upgrades' mean time
 */
public record RealFleetResult(int pairs, int inFlight, int waves, Duration alone, Duration measured, String fleetState, long pairsSucceeded,
        long membersOnNewImage, RealFleetLoad.Stats load, long lostWrites, int pairsChecked, int checksumsEqual, List<String> problems,
        List<Long> memberCpuMs, List<Long> memberStartCpuMs, List<Long> memberRssKb, Duration meanPairTime) {
    public RealFleetResult {
        problems = List.copyOf(problems);
        memberCpuMs = List.copyOf(memberCpuMs);
        memberStartCpuMs = List.copyOf(memberStartCpuMs);
        memberRssKb = List.copyOf(memberRssKb);
    }

    /** The ideal total: every wave as long as one pair alone. */
    public Duration ideal() {
        return alone.multipliedBy(waves);
    }

    public double ratio() {
        return measured.toNanos() / (double) ideal().toNanos();
    }

    public long failedRequests() {
        return load.failed();
    }

    /** Whether everything the issue asks held: every pair upgraded, nothing failed or lost, every checksum equal. */
    public boolean clean() {
        return fleetState.equals("SUCCEEDED") && pairsSucceeded == pairs && load.failed() == 0 && lostWrites == 0
                && checksumsEqual == pairsChecked && membersOnNewImage == 2L * pairsChecked && problems.isEmpty();
    }

    /** The header of the figure table in docs/benchmarks.md. */
    public static String markdownHeader() {
        return "| pairs | in-flight | waves | one pair alone s | ideal s | measured s | ratio | requests | failed | retries | checksums equal |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
    }

    /** This run's row of that table. */
    public String markdownRow() {
        return String.format(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.1f | %.2f | %d | %d | %d | %s |", pairs, inFlight, waves,
                seconds(alone), seconds(ideal()), seconds(measured), ratio(), load.requests(), load.failed(), load.retries(),
                checksumsEqual == pairsChecked ? "yes (" + checksumsEqual + " of " + pairsChecked + ")" : "NO (" + checksumsEqual + " of " + pairsChecked + ")");
    }

    /** The report, one figure a line. */
    public String report() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "fleet job: %s, %d of %d pairs upgraded in %d waves of at most %d%n", fleetState, pairsSucceeded, pairs,
                waves, inFlight));
        out.append(String.format(Locale.ROOT, "one pair alone %.2f s; fleet %.2f s; ideal %d x %.2f = %.2f s; ratio %.2f; mean pair upgrade in the fleet %.2f s%n",
                seconds(alone), seconds(measured), waves, seconds(alone), seconds(ideal()), ratio(), seconds(meanPairTime)));
        out.append(String.format(Locale.ROOT, "client: %d requests, %d failed after retry, %d retries, %d stale reads, %d writes acknowledged, %d lost%n",
                load.requests(), load.failed(), load.retries(), load.staleReads(), load.acknowledgedWrites(), lostWrites));
        out.append(String.format(Locale.ROOT, "checksums: %d of %d pairs equal between members and unchanged before/after; %d of %d members on v2%n",
                checksumsEqual, pairsChecked, membersOnNewImage, 2L * pairsChecked));
        out.append(String.format(Locale.ROOT, "per member (the v2 process): CPU to start mean %.0f ms, max %d ms; CPU over its life (replication,"
                + " load) mean %.0f ms, max %d ms; peak RSS mean %.1f MiB, max %.1f MiB%n", mean(memberStartCpuMs), max(memberStartCpuMs),
                mean(memberCpuMs), max(memberCpuMs), mean(memberRssKb) / 1024, max(memberRssKb) / 1024.0));
        problems.forEach(p -> out.append("PROBLEM: ").append(p).append('\n'));
        return out.toString();
    }

    private static double mean(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).average().orElse(0);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
