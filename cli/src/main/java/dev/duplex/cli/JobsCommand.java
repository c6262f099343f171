package dev.duplex.cli;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.service.JobDetail;
import dev.duplex.engine.service.JobService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
            List<List<Object>> rows = new ArrayList<>();
            for (JobEntry entry : context.services().get(JobService.class).list(limit)) {
                Job job = entry.job();
                rows.add(List.of(job.id(), job.kind(), job.pair(), job.state().name(), job.requestedBy(), entry.createdAt().toString(),
                        time(entry.startedAt()), time(entry.finishedAt())));
            }
            context.printer().rows(output, List.of("id", "kind", "target", "state", "requested by", "created", "started", "finished"),
                    rows);
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
            Job job = detail.entry().job();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("id", job.id());
            fields.put("kind", job.kind());
            fields.put("target", job.pair());
            fields.put("state", job.state().name());
            fields.put("requested_by", job.requestedBy());
            fields.put("created", detail.entry().createdAt().toString());
            fields.put("started", time(detail.entry().startedAt()));
            fields.put("finished", time(detail.entry().finishedAt()));
            fields.put("owner", job.owner().orElse("-"));
            fields.put("heartbeat", time(job.heartbeat()));
            fields.put("error", job.error().orElse("-"));
            fields.put("parameters", job.parameters());
            if (output.format() == OutputFormat.JSON) {
                List<Object> steps = new ArrayList<>();
                for (StepRecord step : detail.journal()) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", step.stepId());
                    line.put("state", step.state().name());
                    line.put("started", step.startedAt().toString());
                    line.put("ended", step.endedAt().map(Instant::toString).orElse(null));
                    line.put("error", step.error().orElse(null));
                    line.put("outputs", step.outputs());
                    steps.add(line);
                }
                fields.put("steps", steps);
                context.printer().fields(output.format(), fields);
                return;
            }
            context.printer().fields(output.format(), fields);
            context.out().println();
            List<List<Object>> rows = new ArrayList<>();
            for (StepRecord step : detail.journal()) {
                rows.add(List.of(step.stepId(), step.state().name(), step.startedAt().toString(), time(step.endedAt()),
                        step.endedAt().map(end -> (Object) (Duration.between(step.startedAt(), end).toMillis() + " ms")).orElse("-"),
                        step.error().orElse("-")));
            }
            context.printer().rows(output, List.of("step", "state", "started", "ended", "took", "error"), rows);
        }
    }

    private static String time(Optional<Instant> at) {
        return at.map(Instant::toString).orElse("-");
    }
}
