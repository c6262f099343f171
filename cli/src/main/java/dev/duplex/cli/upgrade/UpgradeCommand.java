package dev.duplex.cli.upgrade;

import dev.duplex.cli.ExitStatus;

import dev.duplex.cli.OutputOption;

import dev.duplex.cli.CliContext;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.service.UpgradeService;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradePlan;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import dev.duplex.engine.upgrade.UpgradeSettings;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex upgrade plan|run|resume|rollback|status}. */
@Command(name = "upgrade", description = {
    "Zero-copy rolling upgrade of an ACT/SBY pair: the standby first, one switchover, then the old active.",
    "",
    "The standby is stopped, re-created from the new image with a link to its own database volume, started and brought in sync; one switchover; then the old active the same way. Every step is journaled: 'resume' continues a job after a crash, 'rollback' returns the pair to its old images on the same volumes. No data volume is ever deleted.",
    "",
    "Strategies: link (the database volume is mounted at boot: nothing is copied), copy-at-boot (copied in when the VM starts, for platforms that cannot mount), snapshot-copy (the old way: copy the volume before boot, kept to compare with)."
}, footer = {"", "Examples:", "  duplex upgrade plan kv --image kv-2"}, subcommands = {UpgradeCommand.Plan.class, UpgradeCommand.Run.class, UpgradeCommand.Resume.class,
    UpgradeCommand.Rollback.class, UpgradeCommand.Status.class, UpgradeCommand.Vm.class, FleetCommand.class})
public final class UpgradeCommand {
    /** The engine settings this installation is configured with; kept for cli/demo and cli/bench until they call services. */
    public static UpgradeSettings settings(DuplexConfig config) {
        return UpgradeService.settings(config);
    }

    static UpgradeService upgrades(CliContext context) {
        return context.services().get(UpgradeService.class);
    }

    /** Step lines for people: on standard output, or on standard error when standard output carries -o json or yaml. */
    static UpgradeListener progress(CliContext context, OutputOption output) {
        return output.structured() ? new ProgressPrinter(context.err(), false) : new ProgressPrinter(context.out(), System.console() != null);
    }

    /** Runs one job with Ctrl-C asking it to stop at its next journal point, then prints its report. */
    static int runJob(CliContext context, OutputOption output, java.util.function.Function<UpgradeListener, UpgradeReport> job) {
        UpgradeReport report;
        try (StopOnSignal signals = context.remote() ? new StopOnSignal(context.err(), "duplex: detaching; the job goes on on the server;"
                + " press Ctrl-C again to quit at once") : new StopOnSignal(context.err())) {
            report = job.apply(signals.around(progress(context, output)));
        }
        return finish(context, report, output);
    }

    /** How often {@code upgrade status --watch} reads the journal: each read is one small query. */
    static final java.time.Duration WATCH_POLL = java.time.Duration.ofMillis(200);

    /** Exit code of a job stopped by the operator (Ctrl-C), as shells report SIGINT. */
    static final int INTERRUPTED = ExitStatus.INTERRUPTED;

    /** Prints the job's summary; the exit code says whether the job that just ran reached its goal. */
    static int finish(CliContext context, UpgradeReport report, OutputOption output) {
        print(context, report, output);
        return report.state().live() ? ExitStatus.INTERRUPTED : exitCodeOfEnded(report);
    }

    /**
     * 0 when the job reached its goal: an upgrade that SUCCEEDED, a rollback job that ROLLED_BACK;
     * 3 otherwise (FAILED, or an upgrade that ended rolled back: the pair is not on the new image).
     */
    static int exitCodeOfEnded(UpgradeReport report) {
        boolean reached = report.state() == JobState.SUCCEEDED
                || (report.kind().equals("rollback") && report.state() == JobState.ROLLED_BACK);
        return reached ? ExitStatus.DONE : ExitStatus.JOB_NOT_DONE;
    }

    private static void printNothing(CliContext context, String reason, OutputOption output) {
        java.util.Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("nothing_to_do", true);
        view.put("reason", reason);
        context.printer().object(output, view, out -> out.println(reason));
    }

    private static void printPlan(CliContext context, UpgradePlan plan, OutputOption output) {
        context.printer().object(output, ReportView.json(plan), out -> ReportView.print(plan, out));
    }

    private static void print(CliContext context, UpgradeReport report, OutputOption output) {
        context.printer().object(output, ReportView.json(report), out -> ReportView.print(report, out));
    }

    /** A job is named by its number (at most 18 digits, so it parses); anything else names a pair or VM. */
    static boolean isJobNumber(String what) {
        return !what.isEmpty() && what.length() <= 18 && what.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Options naming what to upgrade to. */
    static final class Target {
        @Parameters(index = "0", paramLabel = "PAIR")
        String pair;

        @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "The new image (registered ahead) for both members.")
        String image;

        @Option(names = "--image1", paramLabel = "IMAGE", description = "A different new image for system 1, if its endpoint differs.")
        String image1;

        @Option(names = "--strategy", defaultValue = "link", description = "link, copy-at-boot or snapshot-copy (default: ${DEFAULT-VALUE}).")
        String strategy;

        UpgradeRequest request() {
            return new UpgradeRequest(pair, image, image1 == null ? image : image1, UpgradeStrategy.parse(strategy),
                    Actor.operatingSystemUser().name());
        }
    }

    @Command(name = "plan", description = "Print the steps, who serves during each, and the predicted single-side window and switchover gap. Touches nothing.",
            footer = {"", "Examples:", "  duplex upgrade plan kv --image kv-2 --strategy link"})
    static final class Plan implements Runnable {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        Target target = new Target();

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Plan(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            UpgradeService upgrades = upgrades(context);
            Optional<String> nothing = upgrades.nothingToDo(target.request());
            if (nothing.isPresent()) {
                printNothing(context, nothing.get(), output);
                return;
            }
            printPlan(context, upgrades.plan(target.request()), output);
        }
    }

    @Command(name = "run", description = {"Upgrade a pair, showing each step as it runs, then a summary.",
    }, footer = {"", "Examples:", "  duplex upgrade run kv --image kv-2 --strategy link --dry-run", "  duplex upgrade run kv --image kv-2 --strategy link"})
    static final class Run implements java.util.concurrent.Callable<Integer> {
        private final CliContext context;

        @picocli.CommandLine.Mixin
        Target target = new Target();

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Run(CliContext context) {
            this.context = context;
        }

        @Option(names = "--dry-run", description = "Print the plan (as 'upgrade plan' does) and touch nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            UpgradeService upgrades = upgrades(context);
            Optional<String> nothing = upgrades.nothingToDo(target.request());
            if (nothing.isPresent()) {
                printNothing(context, nothing.get(), output);
                return ExitStatus.DONE;
            }
            if (dryRun) {
                printPlan(context, upgrades.plan(target.request()), output);
                return ExitStatus.DONE;
            }
            return runJob(context, output, listener -> upgrades.run(target.request(), listener));
        }
    }

    @Command(name = "resume", description = {"Continue a job from its journal, after the process running it died or was killed.",
        "JOB is the number 'duplex jobs list' shows; a job that already ended is left as it is."},
            footer = {"", "Examples:", "  # job 1 was left unfinished (its process was killed; 'duplex jobs list' shows it RUNNING or PENDING):",
                "  # duplex upgrade resume 1",
                "  # its owner is known dead, so don't wait for its heartbeat to go stale: duplex upgrade resume 1 --force"})
    static final class Resume implements java.util.concurrent.Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "JOB")
        long job;

        @Option(names = "--force", description = {"Take the job over at once instead of waiting until its owner's heartbeat is",
            "older than duplex.job.stale-after. Only when you know the owner is dead (killed, host gone)."})
        boolean force;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Resume(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (FleetCommand.isFleet(context, job)) {
                return FleetCommand.resume(context, output.format(), job, force);
            }
            UpgradeService upgrades = upgrades(context);
            return runJob(context, output, listener -> upgrades.resume(job, force, listener));
        }
    }

    @Command(name = "rollback", description = "Bring the pair of a job back to its old images on the same volumes.",
            footer = {"", "Examples:", "  duplex upgrade rollback 1 --dry-run", "  duplex upgrade rollback 1"})
    static final class Rollback implements java.util.concurrent.Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "JOB")
        long job;

        @Option(names = "--wave", paramLabel = "N", description = "For a fleet job: roll back only wave N (default: every wave, last first).")
        Integer wave;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        @Option(names = "--dry-run", description = "Print the plan: which members go back, the steps and their predicted times. Touches nothing.")
        boolean dryRun;

        Rollback(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (FleetCommand.isFleet(context, job)) {
                return FleetCommand.rollback(context, output.format(), job, java.util.Optional.ofNullable(wave));
            }
            if (wave != null) {
                throw new IllegalArgumentException("--wave is for a fleet job; job #" + job + " is not one ('duplex upgrade status " + job + "' shows it)");
            }
            UpgradeService upgrades = upgrades(context);
            if (dryRun) {
                printPlan(context, upgrades.planRollback(job), output);
                return ExitStatus.DONE;
            }
            return runJob(context, output, listener -> upgrades.rollback(job, Actor.operatingSystemUser(), listener));
        }
    }

    @Command(name = "status", description = {"Show a job (by number) or the latest job of a pair (by name), from its journal.",
        "Exits 0 for a job that is running or reached its goal, 3 for one that ended FAILED or rolled back.",
    }, footer = {"", "Examples:", "  duplex upgrade status kv", "  duplex upgrade status 1 --output json"})
    static final class Status implements java.util.concurrent.Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "JOB|PAIR")
        String what;

        @Option(names = "--watch", description = "Follow a running job until it ends, printing its steps as 'upgrade run' does.")
        boolean watch;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (isJobNumber(what) && !watch && FleetCommand.isFleet(context, Long.parseLong(what))) {
                return FleetCommand.status(context, output.format(), Long.parseLong(what));
            }
            UpgradeService upgrades = upgrades(context);
            UpgradeReport report = isJobNumber(what) ? upgrades.status(Long.parseLong(what)) : upgrades.latest(what);
            if (watch) {
                java.time.Instant since = report.steps().isEmpty() ? java.time.Instant.now() : report.steps().get(0).started();
                UpgradeListener printer = output.structured() ? new ProgressPrinter(context.err(), false, since)
                        : new ProgressPrinter(context.out(), System.console() != null, since);
                report = upgrades.follow(report.jobId(), printer, WATCH_POLL);
            }
            print(context, report, output);
            return report.state().live() ? ExitStatus.DONE : exitCodeOfEnded(report);
        }
    }

    @Command(name = "vm", description = {
        "Upgrade one VM that is in no pair: stop it, re-create it from the new image with links to the same volumes, start it, check it runs. It serves nobody meanwhile; the summary gives that downtime.",
    }, footer = {"", "Examples:", "  duplex upgrade vm kv-s --image kv-2 --strategy link --dry-run"})
    static final class Vm implements java.util.concurrent.Callable<Integer> {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "VM")
        String vm;

        @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "The new image, registered ahead on the VM's endpoint.")
        String image;

        @Option(names = "--strategy", defaultValue = "link", description = "link, copy-at-boot or snapshot-copy (default: ${DEFAULT-VALUE}).")
        String strategy;

        @Option(names = "--dry-run", description = "Print the plan and touch nothing.")
        boolean dryRun;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Vm(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            UpgradeService upgrades = upgrades(context);
            UpgradeStrategy parsed = UpgradeStrategy.parse(strategy);
            Optional<String> nothing = upgrades.nothingToDoVm(vm, image);
            if (nothing.isPresent()) {
                printNothing(context, nothing.get(), output);
                return ExitStatus.DONE;
            }
            if (dryRun) {
                printPlan(context, upgrades.planVm(vm, image, parsed), output);
                return ExitStatus.DONE;
            }
            return runJob(context, output, listener -> upgrades.runVm(vm, image, parsed, Actor.operatingSystemUser(), listener));
        }
    }
}
