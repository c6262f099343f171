package dev.duplex.cli.env;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.CliContext;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.envsync.SyncReport;
import dev.duplex.engine.failover.FailoverPlan;
import dev.duplex.engine.failover.FailoverReport;
import dev.duplex.engine.fleet.MemberPlace;
import dev.duplex.engine.service.FailoverService;
import dev.duplex.cli.upgrade.ProgressPrinter;
import dev.duplex.engine.upgrade.UpgradeListener;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex failover}: seed S400 on a cold-standby pair. */
@Command(name = "failover", sortOptions = false, description = {
    "Fail a pair over to its cold standby: fence the active, sync the standby's info, start it, make it active.",
    "One journaled job, in this order:",
    "  1. fence  power the active off through its driver, confirm it is off;",
    "            if that cannot be confirmed, refuse (two actives would serve)",
    "            unless --force",
    "  2. sync   bring the standby's environment info to the active's latest",
    "            pushed revision: nothing if equal, else the stored diff or a",
    "            full write, whichever the standby's calibrated cost model",
    "            predicts faster (uncalibrated: the diff if at most half the",
    "            info's size). With no stored diff (after a fail-back) the",
    "            diff is extracted now. A standby whose info does not match",
    "            its revision (a write that went wrong) is written whole, and",
    "            --full writes it whole anyway",
    "  3. start  power the standby on",
    "  4. promote wait for it to report healthy, make it the active through the",
    "            pair's role controller, and check that it reports ACT",
    "  5. roles  record the standby as the pair's active",
    "It prints what it chose, why, predicted and actual times, and how long each",
    "phase took. A failover refused before the fence changed nothing; after it,",
    "the message says what state the pair is in. Another live job on the pair (an",
    "upgrade) is refused.",
}, footer = {"", "Examples:", "  duplex failover kvc",
    "  # the active's host is dead and known off: duplex failover kvc --force",
    "  # rewrite the standby's info whole: duplex failover kvc --full --output json"})
public final class FailoverCommand implements Runnable {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "PAIR")
    String pair;

    @Option(names = "--force", description = "Go on when the old active cannot be confirmed off. Only when you know it is off: otherwise two actives may run.")
    boolean force;

    @Option(names = "--full", description = "Write the standby's whole environment info, whatever its revision and the cost model say.")
    boolean full;

    @Option(names = "--dry-run", description = "Print the plan: which member is fenced, whether nothing, the diff or the whole info would be written and the predicted times. Touches nothing.")
    boolean dryRun;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public FailoverCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        FailoverService failovers = context.services().get(FailoverService.class);
        if (dryRun) {
            printPlan(failovers.plan(pair, full));
            return;
        }
        // The phases as they run, and what promote waits for (a standby's boot may take minutes), as upgrades show their steps:
        // on standard output, or on standard error when standard output carries -o json or yaml.
        UpgradeListener progress = output.structured() ? new ProgressPrinter(context.err(), false)
                : new ProgressPrinter(context.out(), System.console() != null);
        FailoverReport report = failovers.failover(pair, force, full, Actor.operatingSystemUser(), progress);
        context.printer().object(output, json(report), out -> text(report));
    }

    private void text(FailoverReport report) {
        SyncReport sync = report.sync();
        var out = context.out();
        out.printf("Failover of pair %s: %s -> %s (job #%d)%n", report.pair(), report.oldActive(), report.newActive(),
                report.jobId());
        out.printf("  fence  %8s  %s: %s%n", ms(report.fenceTime()), report.oldActive(), report.fence().detail());
        out.printf("  sync   %8s  %s%s%n", ms(report.syncTime()), path(sync),
                sync.performed().name().equals("NONE") ? "" : ", revision " + sync.fromRevision() + " -> " + sync.toRevision());
        out.printf("                    why: %s%n", sync.reason());
        if (sync.decision().predictedDiff().isPresent() || sync.decision().predictedFull().isPresent()) {
            out.printf("                    predicted: diff %s, full %s; actual %s (%d bytes written)%n",
                    sync.decision().predictedDiff().map(FailoverCommand::ms).orElse("-"),
                    sync.decision().predictedFull().map(FailoverCommand::ms).orElse("-"), ms(sync.actual()),
                    sync.bytesWritten());
        } else if (!sync.performed().name().equals("NONE")) {
            out.printf("                    actual %s (%d bytes written)%n", ms(sync.actual()), sync.bytesWritten());
        }
        if (sync.learnedModel().isPresent()) {
            out.printf("                    cost model corrected and saved (%d observations)%n",
                    sync.learnedModel().get().observations());
        }
        out.printf("  start  %8s  %s started%n", ms(report.startTime()), report.newActive());
        out.printf("  promote%8s  %s healthy (after %s) and serving as ACT%n", ms(report.promoteTime()), report.newActive(),
                ms(report.overhead().healthWait()));
        Duration other = report.total().minus(report.fenceTime()).minus(report.syncTime()).minus(report.startTime())
                .minus(report.promoteTime());
        out.printf("  other  %8s  claiming the pair and checks %s, recording the roles and audit %s, journal%n", ms(other),
                ms(report.overhead().prepare()), ms(report.overhead().record()));
        out.printf("  total  %8s%n", ms(report.total()));
        out.printf("%s is now the active of %s.%n", report.newActive(), report.pair());
        if (!report.fence().confirmed()) {
            out.printf("WARNING: %s was NOT confirmed off; make sure it does not serve as a second active.%n",
                    report.oldActive());
        }
        out.flush();
    }

    private void printPlan(FailoverPlan plan) {
        context.printer().object(output, json(plan), out -> text(plan));
    }

    /** A failover plan as docs/output.md describes it (kind "failover_plan"). */
    private static Map<String, Object> json(FailoverPlan plan) {
        SyncDecision sync = plan.sync();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dry_run", true);
        json.put("pair", plan.pair());
        json.put("old_active", plan.fenced());
        json.put("new_active", plan.started());
        json.put("old_active_at", place(plan.fencedAt()));
        json.put("new_active_at", place(plan.startedAt()));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("chosen", sync.path().name());
        s.put("reason", sync.reason());
        s.put("from_revision", plan.fromRevision());
        s.put("to_revision", plan.toRevision());
        s.put("predicted_diff_ms", sync.predictedDiff());
        s.put("predicted_full_ms", sync.predictedFull());
        json.put("sync", s);
        return json;
    }

    private static Map<String, Object> place(MemberPlace place) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("system", place.system());
        json.put("endpoint", place.endpoint());
        json.put("driver", place.driver());
        return json;
    }

    private static String where(MemberPlace place) {
        return "(endpoint " + place.endpoint() + ", driver " + place.driver() + ")";
    }

    private void text(FailoverPlan plan) {
        SyncDecision sync = plan.sync();
        var out = context.out();
        out.printf("Failover plan of pair %s: %s -> %s (dry run: nothing was touched)%n", plan.pair(), plan.fenced(), plan.started());
        out.printf("  1. fence    power %s off %s and confirm it is off%n", plan.fenced(), where(plan.fencedAt()));
        String revisions = plan.fromRevision().isPresent() && plan.toRevision().isPresent()
                ? ", revision " + plan.fromRevision().get() + " -> " + plan.toRevision().get() : "";
        out.printf("  2. sync     %s%s%n", switch (sync.path()) {
            case NONE -> "write nothing";
            case DIFF -> "apply the diff";
            case FULL -> "write the whole info";
        }, revisions);
        out.printf("             why: %s%n", sync.reason());
        if (sync.predictedDiff().isPresent() || sync.predictedFull().isPresent()) {
            out.printf("             predicted: diff %s, full %s%n", sync.predictedDiff().map(FailoverCommand::ms).orElse("-"),
                    sync.predictedFull().map(FailoverCommand::ms).orElse("-"));
        }
        out.printf("  3. start    power %s on %s%n", plan.started(), where(plan.startedAt()));
        out.printf("  4. promote  wait for %s to report healthy, make it the active%n", plan.started());
        out.printf("  5. roles    record %s as the active of %s%n", plan.started(), plan.pair());
        out.flush();
    }

    private static String path(SyncReport sync) {
        return switch (sync.performed()) {
            case NONE -> "nothing to write";
            case DIFF -> "applied the diff";
            case FULL -> sync.decision().path() == sync.performed() ? "wrote the whole info"
                    : "wrote the whole info (chose " + sync.decision().path().name().toLowerCase(Locale.ROOT) + ")";
        };
    }

    private static String ms(Duration duration) {
        return String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1e6);
    }

    /** A failover's report as docs/output.md describes it (kind "failover_report"). */
    private static Map<String, Object> json(FailoverReport report) {
        SyncReport sync = report.sync();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("job_id", report.jobId());
        json.put("pair", report.pair());
        json.put("old_active", report.oldActive());
        json.put("new_active", report.newActive());
        json.put("fence_confirmed", report.fence().confirmed());
        json.put("fence_detail", report.fence().detail());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("chosen", sync.decision().path().name());
        s.put("performed", sync.performed().name());
        s.put("reason", sync.reason());
        s.put("from_revision", sync.fromRevision());
        s.put("to_revision", sync.toRevision());
        s.put("predicted_diff_ms", sync.decision().predictedDiff());
        s.put("predicted_full_ms", sync.decision().predictedFull());
        s.put("actual_ms", sync.actual());
        s.put("bytes_written", sync.bytesWritten());
        s.put("model_corrected", sync.learnedModel().isPresent());
        json.put("sync", s);
        Map<String, Object> phases = new LinkedHashMap<>();
        // whole milliseconds, as upgrade reports give them; the text for people keeps a tenth of a millisecond
        phases.put("fence_ms", report.fenceTime());
        phases.put("sync_ms", report.syncTime());
        phases.put("start_ms", report.startTime());
        phases.put("promote_ms", report.promoteTime());
        phases.put("health_wait_ms", report.overhead().healthWait());
        phases.put("prepare_ms", report.overhead().prepare());
        phases.put("record_ms", report.overhead().record());
        phases.put("total_ms", report.total());
        json.put("phases", phases);
        return json;
    }

}
