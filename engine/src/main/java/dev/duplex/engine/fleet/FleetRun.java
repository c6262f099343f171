package dev.duplex.engine.fleet;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.upgrade.RollingUpgrade;
import dev.duplex.engine.upgrade.UpgradeListener;
import dev.duplex.engine.upgrade.UpgradeReport;
import dev.duplex.engine.upgrade.UpgradeRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet upgrade as a job: created with its plan, claimed and heartbeated like any job, its
 * journal holding one line per pair (named by the pair) with that pair's upgrade job. The line
 * is STARTED before the pair's job is created and DONE, with the job's number, when it ended; a
 * resumed fleet finds the job of a line left STARTED among the pair's jobs (the upgrade to the
 * fleet's image created after the fleet job: the job queue lets one live job work on a pair, and
 * the fleet creates at most one per pair), so it skips a pair whose job ended, resumes one whose
 * job is live, and upgrades the rest. A pair is therefore never upgraded twice by one fleet, and
 * never by two jobs at once. (Journaling the job's number as soon as it existed cost two writes
 * a pair, a twentieth of a fleet's database calls, to spare that one read on resume.)
 */
public final class FleetRun {
    private static final Logger log = LoggerFactory.getLogger(FleetRun.class);

    private final JobQueue jobs;
    private final RollingUpgrade upgrades;
    private final LongSupplier nanoClock;

    /** @param upgrades the configured pair upgrade; its settings give this node's name, the heartbeat and staleness */
    public FleetRun(JobQueue jobs, RollingUpgrade upgrades, LongSupplier nanoClock) {
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.upgrades = requireNonNull(upgrades, "upgrades is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    /** Creates the fleet job with {@code plan} and runs it in this thread until every wave ran or the fleet stopped. */
    public FleetJobReport start(FleetRequest request, FleetPlan plan, FleetListener listener) {
        Job claimed = jobs.createClaimed(FleetJob.KIND, FleetJob.target(request.image()), request.requestedBy(),
                FleetJob.parameters(request, plan), upgrades.settings().node());
        log.info("Fleet job #{}: {} pairs in {} waves to image {} ({})", claimed.id(), plan.pairCount(), plan.waves().size(),
                request.image(), request.selection().describe());
        return execute(FleetJob.of(claimed), listener, upgrades);
    }

    /**
     * Continues a fleet job whose orchestrator died. Refused for a job that ended, or whose
     * owner's heartbeat is fresh unless {@code takeOverNow}. The pair jobs it left live are taken
     * over at once: they belonged to the same dead orchestrator.
     */
    public FleetJobReport resume(long fleetJobId, boolean takeOverNow, FleetListener listener) {
        Job job = fleetJob(fleetJobId);
        if (!job.state().live()) {
            throw new FleetRefusedException("Fleet job #" + fleetJobId + " is " + job.state() + "; there is nothing to resume."
                    + " 'duplex upgrade status " + fleetJobId + "' shows its pairs; 'duplex upgrade rollback " + fleetJobId
                    + "' brings them back");
        }
        Job claimed = claim(fleetJobId, takeOverNow ? Duration.ZERO : upgrades.settings().staleAfter());
        log.info("Fleet job #{} resumed by {}", fleetJobId, upgrades.settings().node());
        return execute(FleetJob.of(claimed), listener, upgrades.withSettings(upgrades.settings().withStaleAfter(Duration.ZERO)));
    }

    /** The most pairs fleet job {@code fleetJobId} upgrades at once; empty when it is no fleet job (the call that follows says so). */
    public Optional<Integer> maxInFlight(long fleetJobId) {
        return jobs.job(fleetJobId).filter(FleetJob::isFleet).map(job -> FleetJob.of(job).plan().maxInFlight());
    }

    /** The fleet job and where each of its pairs is. */
    public FleetStatus status(long fleetJobId) {
        Job job = fleetJob(fleetJobId);
        FleetJob fleet = FleetJob.of(job);
        Map<String, StepRecord> journal = journal(fleetJobId);
        List<PairLine> lines = new ArrayList<>();
        for (Wave wave : fleet.plan().waves()) {
            for (String pair : wave.pairs()) {
                Optional<Long> id = recordedJob(fleet, pair, journal);
                lines.add(new PairLine(pair, wave.number(), id, id.flatMap(jobs::job).map(Job::state)));
            }
        }
        return new FleetStatus(fleet, job.state(), job.error(), lines);
    }

    /**
     * Brings the fleet's pairs back to their old images, wave by wave, the last wave first (or only
     * {@code onlyWave}); the pairs of a wave side by side, at most max-in-flight at once. Each pair
     * is the ordinary pair rollback of its upgrade job. A pair on its old images already (its
     * upgrade rolled itself back, or was rolled back before, or never started) is left alone; the
     * rollback stops before the next wave when one of a wave's pairs could not be rolled back.
     */
    public FleetRollbackReport rollback(long fleetJobId, Optional<Integer> onlyWave, String requestedBy, FleetListener listener) {
        Job job = fleetJob(fleetJobId);
        FleetJob fleet = FleetJob.of(job);
        if (job.state().live()) {
            throw new FleetRefusedException("Fleet job #" + fleetJobId + " is still " + job.state() + "; wait for it to end, or (if its"
                    + " orchestrator died) run 'duplex upgrade resume " + fleetJobId + "' first, then roll it back");
        }
        int waveCount = fleet.plan().waves().size();
        if (onlyWave.isPresent() && (onlyWave.get() < 1 || onlyWave.get() > waveCount)) {
            throw new FleetRefusedException("Fleet job #" + fleetJobId + " has waves 1 to " + waveCount + ", not " + onlyWave.get()
                    + "; 'duplex upgrade status " + fleetJobId + "' lists them");
        }
        Map<String, StepRecord> journal = journal(fleetJobId);
        List<Wave> waves = new ArrayList<>(fleet.plan().waves());
        java.util.Collections.reverse(waves);
        List<PairOutcome> outcomes = new ArrayList<>();
        List<String> alreadyBack = new ArrayList<>();
        Optional<String> stopped = Optional.empty();
        ExecutorService pool = pool(fleet.plan().maxInFlight(), "fleet-rollback-");
        try {
            for (Wave wave : waves) {
                if (onlyWave.isPresent() && wave.number() != onlyWave.get()) {
                    continue;
                }
                listener.waveStarted(wave);
                List<Future<PairOutcome>> running = new ArrayList<>();
                for (String pair : wave.pairs()) {
                    Optional<Long> upgradeJob = recordedJob(fleet, pair, journal).filter(id -> !onOldImages(pair, id));
                    if (upgradeJob.isEmpty()) {
                        alreadyBack.add(pair);
                        continue;
                    }
                    running.add(pool.submit(() -> rollbackOne(pair, wave.number(), upgradeJob.get(), requestedBy)));
                }
                List<PairOutcome> failed = new ArrayList<>();
                for (Future<PairOutcome> future : running) {
                    PairOutcome outcome = await(future);
                    outcomes.add(outcome);
                    listener.pairEnded(outcome);
                    if (outcome.state() != JobState.ROLLED_BACK) {
                        failed.add(outcome);
                    }
                }
                if (!failed.isEmpty()) {
                    PairOutcome first = failed.get(0);
                    stopped = Optional.of("wave " + wave.number() + ": " + failed.size() + " pair(s) not rolled back, " + first.pair()
                            + first.jobId().map(id -> " (job #" + id + ")").orElse("") + " ended " + first.state()
                            + first.error().map(e -> ": " + e).orElse("") + "; fix it and run the fleet rollback again");
                    listener.stopped(stopped.get());
                    break;
                }
            }
        } finally {
            shutdown(pool);
        }
        return new FleetRollbackReport(fleetJobId, outcomes, alreadyBack, stopped);
    }

    private FleetJobReport execute(FleetJob fleet, FleetListener listener, RollingUpgrade pairEngine) {
        Map<String, StepRecord> journal = journal(fleet.id());
        Duration beatEvery = upgrades.settings().heartbeatEvery();
        try (FleetHeartbeat beat = new FleetHeartbeat(jobs, fleet.id(), upgrades.settings().node(), beatEvery)) {
            Map<String, Integer> waveByPair = fleet.plan().waveByPair();
            FleetUpgrade waves = new FleetUpgrade(pair -> upgradeOne(fleet, pair, waveByPair.getOrDefault(pair, 0), journal, pairEngine),
                    fleet.maxFailedPercent() / 100.0, nanoClock);
            FleetReport report = waves.run(fleet.plan(), listener);
            Optional<String> error = report.complete() ? Optional.empty() : Optional.of(failure(report));
            JobState state = report.complete() ? JobState.SUCCEEDED : JobState.FAILED;
            jobs.finish(fleet.id(), state, error);
            log.info("Fleet job #{} {} after {}{}", fleet.id(), state, report.total(), error.map(e -> ": " + e).orElse(""));
            return new FleetJobReport(fleet.id(), state, error, report);
        }
    }

    private UpgradeReport upgradeOne(FleetJob fleet, String pair, int wave, Map<String, StepRecord> journal, RollingUpgrade pairEngine) {
        Optional<Long> known = recordedJob(fleet, pair, journal);
        UpgradeReport report;
        if (known.isPresent()) {
            Job job = jobs.job(known.get()).orElseThrow(() -> new IllegalStateException("job #" + known.get() + " of pair " + pair + " is gone"));
            if (job.state().live()) {
                log.info("Fleet job #{}: resuming job #{} of pair {}", fleet.id(), job.id(), pair);
                report = pairEngine.resume(job.id(), UpgradeListener.NONE);
            } else {
                log.info("Fleet job #{}: pair {} ended {} in job #{} before; not run again", fleet.id(), pair, job.state(), job.id());
                report = pairEngine.status(job.id());
            }
        } else {
            jobs.stepStarted(fleet.id(), pair);
            try {
                report = pairEngine.run(UpgradeRequest.of(pair, fleet.image(), fleet.strategy(), fleet.requestedBy()), UpgradeListener.NONE);
            } catch (RuntimeException refused) {
                jobs.stepFailed(fleet.id(), pair, refused.getMessage() == null ? refused.getClass().getSimpleName() : refused.getMessage());
                throw refused;
            }
        }
        jobs.stepDone(fleet.id(), pair, Map.of("wave", Integer.toString(wave), "job", Long.toString(report.jobId()),
                "state", report.state().name()));
        return report;
    }

    /**
     * The pair's upgrade job in this fleet: journaled when it ended, or — when the orchestrator
     * died after journaling the pair's start — the pair's newest upgrade job to the fleet's image
     * created after the fleet job (none when it died before creating it).
     */
    private Optional<Long> recordedJob(FleetJob fleet, String pair, Map<String, StepRecord> journal) {
        Optional<Long> recorded = Optional.ofNullable(journal.get(pair)).filter(l -> l.state() == StepState.DONE)
                .map(l -> l.outputs().get("job")).map(Long::parseLong);
        if (recorded.isPresent() || !journal.containsKey(pair)) {
            return recorded;
        }
        return jobs.jobs(pair).stream()
                .filter(j -> j.kind().equals("upgrade") && j.id() > fleet.id() && fleet.image().equals(j.parameters().get("image.0")))
                .map(Job::id).findFirst();
    }

    /** True when the pair's upgrade job rolled itself back or a later rollback job of it succeeded. */
    private boolean onOldImages(String pair, long upgradeJob) {
        Optional<Job> job = jobs.job(upgradeJob);
        if (job.isEmpty() || job.get().state() == JobState.ROLLED_BACK) {
            return true;
        }
        // a rollback job ends SUCCEEDED when it brought the pair back (an upgrade taken over ends ROLLED_BACK)
        return jobs.jobs(pair).stream().anyMatch(j -> j.kind().equals("rollback")
                && (j.state() == JobState.SUCCEEDED || j.state() == JobState.ROLLED_BACK)
                && Long.toString(upgradeJob).equals(j.parameters().get("rollback-of")));
    }

    private PairOutcome rollbackOne(String pair, int wave, long upgradeJob, String requestedBy) {
        long start = nanoClock.getAsLong();
        try {
            UpgradeReport report = upgrades.rollback(upgradeJob, requestedBy, UpgradeListener.NONE);
            // the pair is back when its rollback job SUCCEEDED, or when its live upgrade job was taken over and ended ROLLED_BACK
            boolean back = report.state() == JobState.ROLLED_BACK || report.state() == JobState.SUCCEEDED;
            return new PairOutcome(pair, wave, Optional.of(report.jobId()), back ? JobState.ROLLED_BACK : report.state(), report.error(),
                    since(start));
        } catch (RuntimeException e) {
            String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new PairOutcome(pair, wave, Optional.of(upgradeJob), JobState.FAILED, Optional.of(message), since(start));
        }
    }

    private static String failure(FleetReport report) {
        List<String> failed = report.outcomes().stream().filter(o -> !o.succeeded())
                .map(o -> o.pair() + o.jobId().map(id -> " (job #" + id + ")").orElse("")).toList();
        String pairs = failed.size() + " of " + report.outcomes().size() + " pairs did not upgrade: "
                + String.join(", ", failed.subList(0, Math.min(5, failed.size()))) + (failed.size() > 5 ? ", ..." : "");
        return report.stoppedBecause().map(reason -> "stopped: " + reason + "; " + pairs).orElse(pairs);
    }

    private Job fleetJob(long id) {
        Job job = jobs.job(id).orElseThrow(() -> new FleetRefusedException("No job #" + id + "; 'duplex jobs list' shows the jobs there are"));
        if (!FleetJob.isFleet(job)) {
            throw new FleetRefusedException("Job #" + id + " is a " + job.kind() + " job of '" + job.pair() + "', not a fleet upgrade;"
                    + " 'duplex upgrade status " + id + "' shows it");
        }
        return job;
    }

    private Job claim(long id, Duration staleAfter) {
        return jobs.claim(id, upgrades.settings().node(), staleAfter).orElseThrow(() -> {
            Optional<Job> job = jobs.job(id);
            return new FleetRefusedException("Fleet job #" + id + " is being run by " + job.flatMap(Job::owner).orElse("another process")
                    + " (last heartbeat " + job.flatMap(Job::heartbeat).map(Instant::toString).orElse("unknown") + "); if that process is"
                    + " dead, take it over with 'duplex upgrade resume " + id + " --force'");
        });
    }

    /** The latest journal line per step, read once: the pairs' lines as the last run left them. */
    private Map<String, StepRecord> journal(long id) {
        Map<String, StepRecord> lines = new HashMap<>();
        jobs.journal(id).forEach(l -> lines.put(l.stepId(), l));
        return lines;
    }

    private Duration since(long start) {
        return Duration.ofNanos(nanoClock.getAsLong() - start);
    }

    private static ExecutorService pool(int size, String name) {
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        return Executors.newFixedThreadPool(size, task -> {
            Thread thread = new Thread(task, name + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    private static void shutdown(ExecutorService pool) {
        pool.shutdown();
        try {
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // pairs of a wave always finish: a half-done rollback is worse than waiting for it
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static PairOutcome await(Future<PairOutcome> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a wave was rolled back", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("a pair's rollback ended abnormally", e.getCause());
        }
    }
}
