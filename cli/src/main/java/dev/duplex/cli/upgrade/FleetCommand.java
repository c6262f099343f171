package dev.duplex.cli.upgrade;

import dev.duplex.cli.CliContext;
import dev.duplex.cli.ExitStatus;
import dev.duplex.cli.OutputFormat;
import dev.duplex.cli.OutputOption;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.fleet.FleetForecast;
import dev.duplex.engine.fleet.FleetJobReport;
import dev.duplex.engine.fleet.FleetListener;
import dev.duplex.engine.fleet.FleetRequest;
import dev.duplex.engine.fleet.FleetRollbackReport;
import dev.duplex.engine.fleet.FleetSelection;
import dev.duplex.engine.fleet.FleetStatus;
import dev.duplex.engine.fleet.LabelSelector;
import dev.duplex.engine.fleet.MemberPlace;
import dev.duplex.engine.fleet.PairForecast;
import dev.duplex.engine.fleet.PairLine;
import dev.duplex.engine.fleet.PairOutcome;
import dev.duplex.engine.fleet.Wave;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.service.FleetService;
import dev.duplex.engine.upgrade.UpgradeStrategy;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code duplex upgrade fleet}: plans or runs a fleet upgrade; {@code upgrade resume}, {@code rollback}
 * and {@code status} hand a fleet job's number to the functions below. Parses, calls
 * {@link FleetService}, renders.
 */
@Command(name = "fleet", description = {
    "Upgrade many pairs to one image: a canary wave first, then the other pairs, at most --max-in-flight at once.",
    "",
    "Pairs are selected by labels (--selector), name pattern (--pairs) and endpoint (--endpoint); all given must match. Each pair is the"
        + " ordinary rolling upgrade, so one member of every pair serves throughout. After the canary a pair starts as soon as another"
        + " ends; the waves (groups of --max-in-flight pairs) are what the plan predicts and a rollback undoes. No pair starts after the"
        + " canary fails or once more than --max-failed-percent of the pairs started have failed; pairs already running finish."
        + " It is one job: 'duplex upgrade status JOB' shows it,"
        + " 'duplex upgrade resume JOB' continues it after its process died, 'duplex upgrade rollback JOB [--wave N]' undoes it wave by"
        + " wave, last wave first."
}, footer = {"", "Examples:",
    "  duplex upgrade fleet --image kv-2 --pairs 'kv*' --dry-run",
    "  duplex upgrade fleet --image kv-2 --pairs 'kv*' --max-in-flight 10 --canary 1 --max-failed-percent 5 --dry-run --output json",
    "  # by label (see 'duplex pair label'): duplex upgrade fleet --image kv-2 --selector tier=db,site=fra --max-in-flight 20"})
public final class FleetCommand implements java.util.concurrent.Callable<Integer> {
    private final CliContext context;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "The new image (registered ahead) for both members of every pair.")
    String image;

    @Option(names = "--selector", paramLabel = "KEY=VALUE[,KEY=VALUE...]", description = "Only pairs with all these labels.")
    String selector;

    @Option(names = "--pairs", paramLabel = "GLOB", description = "Only pairs whose name matches: * any run of characters, ? one character.")
    String pairs;

    @Option(names = "--endpoint", paramLabel = "ENDPOINT", description = "Only pairs whose members are both on this endpoint.")
    String endpoint;

    @Option(names = "--max-in-flight", defaultValue = "10", paramLabel = "N", description = "The most pairs upgraded at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--canary", defaultValue = "1", paramLabel = "N", description = "Pairs in the first wave; any failure there stops the fleet (default: ${DEFAULT-VALUE}).")
    int canary;

    @Option(names = "--max-failed-percent", defaultValue = "0", paramLabel = "P",
            description = "Start no more pairs once more than P %% of the pairs started have failed (default: ${DEFAULT-VALUE}).")
    int maxFailedPercent;

    @Option(names = "--strategy", defaultValue = "link", description = "link, copy-at-boot or snapshot-copy (default: ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--dry-run", description = "Print the waves, each pair's members (endpoint and driver) and predicted times; touch nothing.")
    boolean dryRun;

    @picocli.CommandLine.Mixin
    OutputOption output = new OutputOption();

    public FleetCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        FleetSelection selection = new FleetSelection(Optional.ofNullable(pairs), Optional.ofNullable(endpoint),
                selector == null ? LabelSelector.any() : LabelSelector.parse(selector));
        FleetRequest request = new FleetRequest(selection, image, UpgradeStrategy.parse(strategy), maxInFlight, canary, maxFailedPercent,
                Actor.operatingSystemUser().name());
        FleetService fleets = fleets(context);
        if (dryRun) {
            printForecast(context, fleets.plan(request), output.format());
            return ExitStatus.DONE;
        }
        FleetJobReport report = fleets.run(request, Actor.operatingSystemUser(), progress(context, output.format()));
        return printRun(context, report, output.format());
    }

    static FleetService fleets(CliContext context) {
        return context.services().get(FleetService.class);
    }

    /** True when {@code job} is a fleet upgrade: resume, rollback and status hand it here. */
    static boolean isFleet(CliContext context, long job) {
        return fleets(context).isFleetJob(job);
    }

    static int resume(CliContext context, OutputFormat format, long job, boolean force) {
        return printRun(context, fleets(context).resume(job, force, Actor.operatingSystemUser(), progress(context, format)), format);
    }

    static int rollback(CliContext context, OutputFormat format, long job, Optional<Integer> wave) {
        FleetRollbackReport report = fleets(context).rollback(job, wave, Actor.operatingSystemUser(), progress(context, format));
        List<List<Object>> rows = new ArrayList<>();
        for (PairOutcome o : report.outcomes()) {
            rows.add(row(o));
        }
        if (format.structured()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("fleet_job", report.fleetJobId());
            json.put("complete", report.complete());
            json.put("pairs", report.outcomes().stream().map(FleetCommand::json).toList());
            json.put("already_back", report.alreadyBack());
            json.put("reason", report.stoppedBecause().orElse(null)); // a sentence: docs/output.md keeps prose to "reason" keys
            context.printer().object(format, json);
        } else {
            context.printer().rows(format, COLUMNS, rows);
            PrintWriter out = context.out();
            out.println("Fleet job #" + job + ": " + report.outcomes().size() + " pair(s) rolled back"
                    + (report.alreadyBack().isEmpty() ? "" : ", " + report.alreadyBack().size() + " on their old images already")
                    + report.stoppedBecause().map(r -> "; stopped at " + r).orElse(""));
            out.flush();
        }
        return report.complete() ? ExitStatus.DONE : ExitStatus.JOB_NOT_DONE;
    }

    static int status(CliContext context, OutputFormat format, long job) {
        FleetStatus status = fleets(context).status(job);
        List<List<Object>> rows = new ArrayList<>();
        for (PairLine line : status.pairs()) {
            rows.add(List.of(line.wave(), line.pair(), line.jobId().map(id -> "#" + id).orElse("-"),
                    line.state().map(JobState::name).orElse("not started")));
        }
        if (format.structured()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("fleet_job", job);
            json.put("state", status.state().name());
            json.put("error", status.error().orElse(null));
            json.put("image", status.fleet().image());
            json.put("selection", status.fleet().selection());
            json.put("pairs", status.pairs().stream().map(l -> {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("wave", l.wave());
                p.put("pair", l.pair());
                p.put("job", l.jobId().orElse(null));
                p.put("state", l.state().map(JobState::name).orElse(null));
                return p;
            }).toList());
            context.printer().object(format, json);
        } else {
            context.out().println("Fleet job #" + job + " to " + status.fleet().image() + " (" + status.fleet().selection() + "): "
                    + status.state() + status.error().map(e -> ": " + e).orElse(""));
            context.out().flush();
            context.printer().rows(format, List.of("wave", "pair", "job", "state"), rows);
        }
        return status.state() == JobState.SUCCEEDED || status.state().live() ? ExitStatus.DONE : ExitStatus.JOB_NOT_DONE;
    }

    private static final List<String> COLUMNS = List.of("wave", "pair", "job", "state", "seconds", "error");

    private static List<Object> row(PairOutcome o) {
        return List.of(o.wave(), o.pair(), o.jobId().map(id -> "#" + id).orElse("-"), o.state().name(), seconds(o.elapsed()),
                o.error().orElse(""));
    }

    private static Map<String, Object> json(PairOutcome o) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("wave", o.wave());
        p.put("pair", o.pair());
        p.put("job", o.jobId().orElse(null));
        p.put("state", o.state().name());
        p.put("elapsed_ms", o.elapsed().toMillis());
        p.put("error", o.error().orElse(null));
        return p;
    }

    private static int printRun(CliContext context, FleetJobReport report, OutputFormat format) {
        List<PairOutcome> outcomes = new ArrayList<>(report.run().outcomes());
        outcomes.sort(java.util.Comparator.comparingInt(PairOutcome::wave).thenComparing(PairOutcome::pair));
        if (format.structured()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("fleet_job", report.jobId());
            json.put("state", report.state().name());
            json.put("error", report.error().orElse(null));
            json.put("total_ms", report.run().total().toMillis());
            json.put("pairs", outcomes.stream().map(FleetCommand::json).toList());
            json.put("not_started", report.run().notStarted());
            context.printer().object(format, json);
        } else {
            context.printer().rows(format, COLUMNS, outcomes.stream().map(FleetCommand::row).toList());
            PrintWriter out = context.out();
            long ok = outcomes.stream().filter(PairOutcome::succeeded).count();
            out.println("Fleet job #" + report.jobId() + " " + report.state() + ": " + ok + " of " + (outcomes.size() + report.run().notStarted().size())
                    + " pairs upgraded in " + seconds(report.run().total()) + " s" + report.error().map(e -> "; " + e).orElse(""));
            if (report.state() != JobState.SUCCEEDED) {
                out.println("To undo it: duplex upgrade rollback " + report.jobId() + " (last wave first; --wave N for one wave)");
            }
            out.flush();
        }
        return report.state() == JobState.SUCCEEDED ? ExitStatus.DONE : ExitStatus.JOB_NOT_DONE;
    }

    private static void printForecast(CliContext context, FleetForecast forecast, OutputFormat format) {
        FleetRequest request = forecast.request();
        if (format.structured()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("image", request.image());
            json.put("selection", request.selection().describe());
            json.put("max_in_flight", request.maxInFlight());
            json.put("canary", request.canary());
            json.put("max_failed_percent", request.maxFailedPercent());
            json.put("predicted_total_ms", forecast.predictedTotal().map(Duration::toMillis).orElse(null));
            List<Object> waves = new ArrayList<>();
            for (Wave wave : forecast.plan().waves()) {
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("wave", wave.number());
                w.put("predicted_ms", forecast.predictedWave(wave.number()).map(Duration::toMillis).orElse(null));
                w.put("pairs", forecast.pairs().stream().filter(p -> p.wave() == wave.number()).map(p -> {
                    Map<String, Object> pair = new LinkedHashMap<>();
                    pair.put("pair", p.pair());
                    pair.put("members", p.members().stream().map(m -> {
                        Map<String, Object> member = new LinkedHashMap<>();
                        member.put("system", m.system());
                        member.put("vm", m.vm());
                        member.put("endpoint", m.endpoint());
                        member.put("driver", m.driver());
                        return member;
                    }).toList());
                    pair.put("predicted_ms", p.predicted().map(Duration::toMillis).orElse(null));
                    return pair;
                }).toList());
                waves.add(w);
            }
            json.put("waves", waves);
            json.put("notes", forecast.notes());
            context.printer().object(format, json);
            return;
        }
        PrintWriter out = context.out();
        out.println("Fleet upgrade to " + request.image() + " (" + request.selection().describe() + "): " + forecast.plan().pairCount()
                + " pairs in " + forecast.plan().waves().size() + " waves, at most " + request.maxInFlight() + " at once, canary "
                + request.canary() + ", stops when more than " + request.maxFailedPercent() + " % fail");
        for (Wave wave : forecast.plan().waves()) {
            out.println("wave " + wave.number() + (wave.number() == 1 ? " (canary)" : "") + ": " + wave.pairs().size() + " pair(s), predicted "
                    + forecast.predictedWave(wave.number()).map(d -> seconds(d) + " s").orElse("unknown"));
        }
        out.flush();
        List<List<Object>> rows = new ArrayList<>();
        for (PairForecast p : forecast.pairs()) {
            List<Object> row = new ArrayList<>(List.of(p.wave(), p.pair()));
            for (MemberPlace m : p.members()) {
                row.add(m.vm());
                row.add(m.endpoint() + " (" + m.driver() + ")");
            }
            row.add(p.predicted().map(d -> seconds(d) + " s").orElse("unknown"));
            rows.add(row);
        }
        context.printer().rows(format, List.of("wave", "pair", "system0", "endpoint0", "system1", "endpoint1", "predicted"), rows);
        out.println("Predicted total: " + forecast.predictedTotal().map(d -> seconds(d) + " s")
                .orElse("unknown (no pair has been upgraded here yet)"));
        forecast.notes().forEach(n -> out.println("Note: " + n));
        out.flush();
    }

    private static FleetListener progress(CliContext context, OutputFormat format) {
        if (format.structured()) {
            return FleetListener.NONE;
        }
        PrintWriter out = context.out();
        return new FleetListener() {
            @Override
            public void waveStarted(Wave wave) {
                synchronized (out) {
                    out.println("wave " + wave.number() + (wave.number() == 1 ? " (canary)" : "") + ": " + wave.pairs().size() + " pair(s): "
                            + String.join(", ", wave.pairs().subList(0, Math.min(8, wave.pairs().size()))) + (wave.pairs().size() > 8 ? ", ..." : ""));
                    out.flush();
                }
            }

            @Override
            public void pairEnded(PairOutcome outcome) {
                synchronized (out) {
                    out.println("  " + outcome.pair() + ": " + outcome.state() + " in " + seconds(outcome.elapsed()) + " s"
                            + outcome.jobId().map(id -> " (job #" + id + ")").orElse("") + outcome.error().map(e -> ": " + e).orElse(""));
                    out.flush();
                }
            }

            @Override
            public void stopped(String reason) {
                synchronized (out) {
                    out.println("stopped: " + reason);
                    out.flush();
                }
            }
        };
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
