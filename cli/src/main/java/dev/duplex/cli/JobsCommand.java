package dev.duplex.cli;

import dev.duplex.cli.Printer.Column;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.service.JobDetail;
import dev.duplex.engine.service.JobService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code duplex jobs list|show}: the history of upgrades, rollbacks and failovers. */
@Command(name = "jobs", description = "Job history: upgrades, rollbacks and failovers, with their times and steps.",
        footer = {"", "Examples:", "  duplex jobs list"},
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class})
public final class JobsCommand {
    @Command(name = "list", description = "List jobs, newest first.", footer = {"", "Examples:", "  duplex jobs list --limit 5 --no-headers"})
    static final class ListJobs implements Runnable {
        private final CliContext context;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "" + JobService.DEFAULT_LIMIT,
                description = "At most N jobs (default: ${DEFAULT-VALUE}).")
        int limit;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        ListJobs(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<Map<String, Object>> jobs = new ArrayList<>();
            for (JobEntry entry : context.services().get(JobService.class).list(limit)) {
                jobs.add(view(entry));
            }
            context.printer().list(output, List.of(Column.of("id"), Column.of("kind"), Column.of("target"), Column.of("state"),
                    Column.of("requested_by"), Column.of("created", "created_at"), Column.of("started", "started_at"),
                    Column.of("finished", "finished_at")), jobs);
        }
    }

    @Command(name = "show", description = "Show a job with its times, parameters and step journal.", footer = {"", "Examples:", "  duplex jobs show 1"})
    static final class Show implements Runnable {
        private final CliContext context;

        @Parameters(index = "0", paramLabel = "ID", description = "The job's number, as 'duplex jobs list' shows it.")
        long id;

        @picocli.CommandLine.Mixin
        OutputOption output = new OutputOption();

        Show(CliContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            JobDetail detail = context.services().get(JobService.class).show(id);
            Map<String, Object> view = view(detail.entry());
            List<Map<String, Object>> steps = new ArrayList<>();
            for (StepRecord step : detail.journal()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("step", step.stepId());
                line.put("state", step.state().name());
                line.put("started_at", step.startedAt());
                line.put("ended_at", step.endedAt());
                line.put("ms", step.endedAt().map(end -> Duration.between(step.startedAt(), end)));
                line.put("error", step.error());
                line.put("outputs", new java.util.TreeMap<>(step.outputs()));
                steps.add(line);
            }
            view.put("steps", steps);
            context.printer().object(output, view, out -> {
                Map<String, Object> fields = new LinkedHashMap<>(view);
                fields.remove("steps");
                context.printer().fields(OutputFormat.TABLE, fields);
                out.println();
                context.printer().list(output, List.of(Column.of("step"), Column.of("state"), Column.of("started", "started_at"),
                        Column.of("ended", "ended_at"), Column.of("took", "ms", ms -> ms + " ms"), Column.of("error")), steps);
            });
        }
    }

    /** A job as docs/output.md describes it (kind "job"); {@code jobs show} adds its steps. */
    static Map<String, Object> view(JobEntry entry) {
        Job job = entry.job();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", job.id());
        view.put("kind", job.kind());
        view.put("target", job.pair());
        view.put("state", job.state().name());
        view.put("requested_by", job.requestedBy());
        view.put("created_at", entry.createdAt());
        view.put("started_at", entry.startedAt());
        view.put("finished_at", entry.finishedAt());
        view.put("owner", job.owner());
        view.put("heartbeat_at", job.heartbeat());
        view.put("error", job.error());
        view.put("parameters", new java.util.TreeMap<>(job.parameters()));
        return view;
    }
}
