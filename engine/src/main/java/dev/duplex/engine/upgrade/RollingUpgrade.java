package dev.duplex.engine.upgrade;

import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.role.RoleController;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.driver.EndpointConnections;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairInventory;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import dev.duplex.engine.role.RoleControllerSource;
import dev.duplex.engine.role.RoleControllers;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-copy rolling upgrade of seed 000: plans, runs, resumes and rolls back upgrade jobs
 * of ACT/SBY pairs (S21–S29) and single VMs (S11–S13).
 *
 * <p>Every step is journaled before and after it runs; a job survives this process being killed
 * at any point and {@link #resume} continues it from the journal (in any process, once the dead
 * owner's heartbeat is older than {@link UpgradeSettings#staleAfter()}). Failures after checks
 * passed end the job FAILED with the reason and are returned in the report, not thrown; what is
 * thrown is a refusal before anything was touched ({@link UpgradeRefusedException}, or the
 * {@link dev.duplex.engine.job.LiveJobExistsException} of a pair that already has a live job).
 */
public final class RollingUpgrade {
    private static final Logger log = LoggerFactory.getLogger(RollingUpgrade.class);

    private final Inventory inventory;
    private final JobQueue jobQueue;
    private final AuditLog auditLog;
    private final AuditTrail audit;
    private final Drivers drivers;
    private final RoleControllerSource roleControllers;
    private final UpgradeSettings settings;
    private final NodeHeartbeat heartbeats;

    @Inject
    public RollingUpgrade(Inventory inventory, JobQueue jobQueue, AuditLog audit, EndpointConnections connections,
            RoleControllers roleControllers) {
        this(inventory, jobQueue, audit, Drivers.of(connections), roleControllers, UpgradeSettings.defaults());
    }

    public RollingUpgrade(Inventory inventory, JobQueue jobQueue, AuditLog audit, Drivers drivers, RoleControllerSource roleControllers,
            UpgradeSettings settings) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.jobQueue = requireNonNull(jobQueue, "jobQueue is null");
        this.auditLog = requireNonNull(audit, "audit is null");
        this.audit = new AuditTrail(audit);
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.roleControllers = requireNonNull(roleControllers, "roleControllers is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.heartbeats = new NodeHeartbeat(jobQueue, settings.node(), settings.heartbeatEvery());
    }

    /** The same engine with other settings (a shorter {@code staleAfter} for {@code resume --force}, a node name). */
    public RollingUpgrade withSettings(UpgradeSettings newSettings) {
        return new RollingUpgrade(inventory, jobQueue, auditLog, drivers, roleControllers, newSettings);
    }

    public UpgradeSettings settings() {
        return settings;
    }

    /**
     * Why the request has nothing to do, if it has none: every member already runs the image it
     * would be upgraded to. Read from the inventory; touches nothing.
     */
    public Optional<String> nothingToDo(UpgradeRequest request) {
        Optional<PairRecord> pair = inventory.pair(request.pair());
        if (pair.isEmpty()) {
            return Optional.empty();
        }
        List<String> targets = List.of(request.image0(), request.image1());
        for (int system = 0; system < 2; system++) {
            Optional<VmRecord> vm = inventory.vm(pair.get().member(system));
            if (vm.isEmpty() || !vm.get().image().equals(targets.get(system))) {
                return Optional.empty();
            }
        }
        return Optional.of("Nothing to do: both members of pair " + request.pair() + " (" + pair.get().system0() + ", "
                + pair.get().system1() + ") already run " + (request.image0().equals(request.image1()) ? "image " + request.image0()
                        : "images " + request.image0() + " and " + request.image1()) + "; no job was created.");
    }

    /** {@link #nothingToDo(UpgradeRequest)} for a single VM. */
    public Optional<String> nothingToDoVm(String vm, String image) {
        return inventory.vm(vm).filter(record -> record.image().equals(image))
                .map(record -> "Nothing to do: VM " + vm + " already runs image " + image + "; no job was created.");
    }

    /** Checks the request and predicts the run; touches nothing (it reads the inventory, the platform and the members' roles). */
    public UpgradePlan plan(UpgradeRequest request) {
        Preflight.Checked checked = new Preflight(inventory, drivers, roleControllers).pair(request);
        UpgradeJob job = new UpgradeJob(0, UpgradeJob.KIND_PAIR, request.pair(), request.strategy(), checked.pair().activeSystem(),
                checked.before(), checked.targets().stream().map(t -> t.name()).toList(), Optional.empty());
        return plan(job, UpgradeSteps.pair(job));
    }

    /** Checks and predicts a single-VM upgrade (S11–S13); touches nothing. */
    public UpgradePlan planVm(String vm, String image, UpgradeStrategy strategy) {
        Preflight.Checked checked = new Preflight(inventory, drivers, roleControllers).vm(vm, image, strategy);
        UpgradeJob job = new UpgradeJob(0, UpgradeJob.KIND_VM, vm, strategy, 0, checked.before(), List.of(image), Optional.empty());
        return plan(job, UpgradeSteps.single(job));
    }

    private UpgradePlan plan(UpgradeJob job, List<UpgradeStep> steps) {
        StepTimePredictor predictor = new StepTimePredictor(jobQueue, job.pair(), settings.assumedCopyBytesPerSecond());
        List<PlannedStep> planned = new ArrayList<>();
        long bytesToCopy = 0;
        for (UpgradeStep step : steps) {
            long volumeBytes = volumeBytes(job.member(step.info().member()));
            planned.add(predictor.predict(step.info(), job.strategy(), volumeBytes));
            if (step.info().id().matches("S1[2]|S2[27]") && (job.strategy().copiesVolume() || job.strategy().copiesAtBoot())) {
                bytesToCopy += volumeBytes;
            }
        }
        Duration window = Duration.ZERO;
        Duration gap = Duration.ZERO;
        Duration total = Duration.ZERO;
        for (int half = 0; half < 2; half++) {
            List<String> ids = StepTimePredictor.singleSideSteps(half);
            Duration sum = planned.stream().filter(p -> ids.contains(p.step().id())).map(PlannedStep::predicted).reduce(Duration.ZERO, Duration::plus);
            window = sum.compareTo(window) > 0 ? sum : window;
        }
        for (PlannedStep p : planned) {
            total = total.plus(p.predicted());
            if (p.step().id().equals("S25")) {
                gap = p.predicted();
            }
        }
        if (!job.isPair()) {
            window = Duration.ZERO;
            gap = total; // a single VM serves nobody from S11 to S13
        }
        return new UpgradePlan(job.pair(), job.strategy(), members(job, false), planned, window, gap, total, bytesToCopy, predictor.basis(), notes(job));
    }

    /**
     * The job's members with their endpoints and drivers, read from the inventory (not the
     * platform: a rollback's plan is shown even when an endpoint does not answer).
     */
    private List<PlannedMember> members(UpgradeJob job, boolean rollback) {
        List<PlannedMember> members = new ArrayList<>();
        for (MemberBefore member : job.before()) {
            String driver = inventory.endpoint(member.endpoint()).map(Endpoint::driverKind).orElse("unknown");
            String now = inventory.vm(member.member()).map(VmRecord::image).orElse(member.image());
            String target = rollback ? member.image() : job.targetImages().get(member.system());
            members.add(new PlannedMember(member.system(), member.member(), member.endpoint(), driver, now, target));
        }
        return members;
    }

    /**
     * What happens to each member's environment info and, under copy-at-boot, to its writes: said
     * before anything is touched, because a driver that cannot carry the info resets the firmware
     * settings failover sync exists to keep.
     */
    private List<String> notes(UpgradeJob job) {
        List<String> notes = new ArrayList<>();
        for (MemberBefore member : job.before()) {
            Capabilities capabilities = drivers.driver(member.endpoint()).capabilities();
            if (capabilities.supports(Capability.ENVIRONMENT_STORE)) {
                notes.add(member.member() + ": its operating-environment info (" + (capabilities.supports(Capability.FIRMWARE_STORE)
                        ? "firmware settings, " : "") + "items and revision) moves to its new VM.");
            } else {
                notes.add(member.member() + ": endpoint " + member.endpoint() + " keeps no operating-environment info, so there is none"
                        + " to carry; its new VM starts with what image " + job.targetImages().get(member.system()) + " brings.");
            }
        }
        notes.addAll(snapshotNotes(job));
        if (job.strategy().copiesAtBoot()) {
            notes.add("copy-at-boot: each new VM works on a copy of its volume; what it writes is saved back to the volume when it"
                    + " stops (or, after a crash, before its next start), so a later boot sees it.");
        }
        return notes;
    }

    /** Per member: whether its volumes get a safety snapshot before its new version starts, and what a rollback can undo. */
    private List<String> snapshotNotes(UpgradeJob job) {
        List<String> notes = new ArrayList<>();
        if (!SafetySnapshots.needed(job.strategy())) {
            notes.add(job.strategy().key() + ": the new versions work on copies, the original volumes stay as they are; no snapshot is taken.");
            return notes;
        }
        String retention = settings.snapshotRetention().isZero() ? "dropped as soon as the upgrade succeeds"
                : "kept for " + settings.snapshotRetention() + " after the upgrade is over (duplex.upgrade.snapshot-retention)";
        for (MemberBefore member : job.before()) {
            List<String> volumes = member.links().stream().map(LinkRecord::volume).toList();
            var driver = drivers.driver(member.endpoint());
            if (driver.capabilities().supports(Capability.VOLUME_SNAPSHOT)) {
                notes.add(member.member() + ": a snapshot (" + SafetySnapshots.name(job.id(), member.member()).replaceFirst("^duplex-job-0-", "duplex-job-<job>-") + ") of "
                        + String.join(", ", volumes)
                        + " (endpoint " + member.endpoint() + ", driver " + driver.kind() + ") before its new version starts; a rollback"
                        + " restores it; " + retention + ".");
            } else {
                notes.add(member.member() + ": no snapshot: endpoint " + member.endpoint() + " (driver " + driver.kind() + ") cannot snapshot"
                        + " volumes, so rollback will not undo data changes the new version makes to " + String.join(", ", volumes) + ".");
            }
        }
        return notes;
    }

    /**
     * Drops the safety snapshots of every pair and VM whose upgrade is over and whose retention has
     * passed ({@link UpgradeSettings#snapshotRetention()}); the next upgrade of a pair does the same
     * for that pair. Returns what it dropped as {@code volume/snapshot}.
     */
    public List<String> pruneExpiredSnapshots() {
        return SafetySnapshots.pruneAllExpired(inventory, jobQueue, drivers, settings.snapshotRetention(), Instant.now());
    }

    private long volumeBytes(MemberBefore member) {
        long bytes = 0;
        for (LinkRecord link : member.links()) {
            bytes += inventory.volume(link.volume()).map(VolumeRecord::sizeBytes).orElse(0L);
        }
        return bytes;
    }

    /**
     * Upgrades a pair: checks (refusing with {@link UpgradeRefusedException} before anything is
     * touched), creates the job (refused by the database while the pair has a live job), runs
     * S21–S29 and returns the report. A health-check failure of a new image brings that member back
     * on its old image and ends the job FAILED; any other failure ends it FAILED where it stopped.
     */
    public UpgradeReport run(UpgradeRequest request, UpgradeListener listener) {
        Optional<PairInventory> pair = inventory.pairInventory(request.pair(), Preflight.targetImages(request));
        refuseLiveJob(request.pair(), pair.map(p -> List.of(p.pair().system0(), p.pair().system1())).orElse(List.of()));
        Preflight preflight = new Preflight(inventory, drivers, roleControllers);
        Preflight.Checked checked = preflight.pair(request, pair);
        pruneExpired(request.pair(), checked);
        Map<String, String> parameters = UpgradeJob.parameters(request.strategy(), checked.pair().activeSystem(), checked.before(),
                checked.targets().stream().map(t -> t.name()).toList(), Optional.empty());
        Job job = jobQueue.createClaimed(UpgradeJob.KIND_PAIR, request.pair(), request.requestedBy(), parameters, settings.node());
        List<VmRecord> locked = lockedAsChecked(preflight, checked, job);
        record(request.requestedBy(), "upgrade.run", job,
                new UpgradeAudit.PairRun(job.id(), request.strategy().key(), List.of(request.image0(), request.image1())));
        return execute(UpgradeJob.of(job), checked.roleController(), listener, false, Optional.of(new NewJob(checked, locked)));
    }

    /** Upgrades a single VM (S11–S13). Its health check is that the platform reports it running. */
    public UpgradeReport runVm(String vm, String image, UpgradeStrategy strategy, String requestedBy, UpgradeListener listener) {
        refuseLiveJob(vm, List.of(vm));
        Preflight preflight = new Preflight(inventory, drivers, roleControllers);
        Preflight.Checked checked = preflight.vm(vm, image, strategy);
        pruneExpired(vm, checked);
        Map<String, String> parameters = UpgradeJob.parameters(strategy, 0, checked.before(), List.of(image), Optional.empty());
        Job job = jobQueue.createClaimed(UpgradeJob.KIND_VM, vm, requestedBy, parameters, settings.node());
        List<VmRecord> locked = lockedAsChecked(preflight, checked, job);
        record(requestedBy, "upgrade.run", job, new UpgradeAudit.VmRun(job.id(), strategy.key(), image));
        return execute(UpgradeJob.of(job), new RunningVmHealth(drivers), listener, false, Optional.of(new NewJob(checked, locked)));
    }

    /**
     * Continues a live job whose process died (or this one, after a crash), from its journal.
     * Refused for a job that is not live, or whose owner's heartbeat is still fresh.
     */
    public UpgradeReport resume(long jobId, UpgradeListener listener) {
        Job job = jobQueue.job(jobId).orElseThrow(() -> new UpgradeRefusedException("No job #" + jobId));
        if (!job.state().live()) {
            throw new UpgradeRefusedException("Job #" + jobId + " (" + job.kind() + " of " + job.pair() + ") is " + job.state()
                    + "; there is nothing to resume." + afterEnd(job));
        }
        UpgradeJob upgrade = UpgradeJob.of(job);
        Job claimed = claimOrRefuse(jobId);
        record(settings.node(), "upgrade.resume", claimed, new UpgradeAudit.Resumed(jobId));
        return execute(upgrade, roleController(upgrade), listener, false, Optional.empty());
    }

    /**
     * Brings the pair of a job back to its old images on the same volumes. A live job (its process
     * died) is taken over and ends ROLLED_BACK; for a finished job a new {@code rollback} job is
     * created (so the pair is locked meanwhile). Never deletes a volume.
     */
    public UpgradeReport rollback(long jobId, String requestedBy, UpgradeListener listener) {
        Job job = jobQueue.job(jobId).orElseThrow(() -> new UpgradeRefusedException("No job #" + jobId));
        UpgradeJob upgrade = UpgradeJob.of(job);
        if (job.state() == JobState.ROLLED_BACK) {
            throw new UpgradeRefusedException("Job #" + jobId + " is rolled back already." + afterEnd(job));
        }
        if (job.kind().equals(UpgradeJob.KIND_ROLLBACK) && job.state() == JobState.FAILED && upgrade.rollbackOf().isPresent()) {
            // A rollback that stopped is finished by rolling back its upgrade again: each rollback is a new job.
            long original = upgrade.rollbackOf().get();
            log.info("Job #{} is a rollback of job #{} that stopped; rolling back job #{} again", jobId, original, original);
            return rollback(original, requestedBy, listener);
        }
        if (job.kind().equals(UpgradeJob.KIND_ROLLBACK) && !job.state().live()) {
            throw new UpgradeRefusedException("Job #" + jobId + " is itself a rollback (of job #" + upgrade.rollbackOf().orElse(0L)
                    + ") and it succeeded: " + job.pair() + " is on its old images." + afterEnd(job));
        }
        Job running;
        if (job.state().live()) {
            running = claimOrRefuse(jobId);
        } else {
            Map<String, String> parameters = new LinkedHashMap<>(job.parameters());
            parameters.put("rollback-of", Long.toString(jobId));
            running = jobQueue.createClaimed(UpgradeJob.KIND_ROLLBACK, job.pair(), requestedBy, parameters, settings.node());
            upgrade = UpgradeJob.of(running);
        }
        record(requestedBy, "upgrade.rollback", running, new UpgradeAudit.RollbackRun(running.id(), jobId));
        return execute(upgrade, roleController(upgrade), listener, true, Optional.empty());
    }

    /**
     * What {@link #rollback} would do now, touching nothing: the same refusals, then R0's decision
     * made from the platform and inventory as they are (not journaled), and the R steps it leads to
     * with times predicted from the steps they repeat.
     */
    public UpgradePlan planRollback(long jobId) {
        Job job = jobQueue.job(jobId).orElseThrow(() -> new UpgradeRefusedException("No job #" + jobId));
        UpgradeJob upgrade = UpgradeJob.of(job);
        if (job.state() == JobState.ROLLED_BACK) {
            throw new UpgradeRefusedException("Job #" + jobId + " is rolled back already." + afterEnd(job));
        }
        if (job.kind().equals(UpgradeJob.KIND_ROLLBACK) && job.state() == JobState.FAILED && upgrade.rollbackOf().isPresent()) {
            return planRollback(upgrade.rollbackOf().get());
        }
        if (job.kind().equals(UpgradeJob.KIND_ROLLBACK) && !job.state().live()) {
            throw new UpgradeRefusedException("Job #" + jobId + " is itself a rollback (of job #" + upgrade.rollbackOf().orElse(0L)
                    + ") and it succeeded: " + job.pair() + " is on its old images." + afterEnd(job));
        }
        UpgradeRun run = new UpgradeRun(upgrade, inventory, drivers, roleController(upgrade), UpgradeListener.NONE, settings,
                new KeptEnvironment(jobQueue, upgrade.id(), JournaledSteps.latest(jobQueue.journal(upgrade.id()))), () -> { });
        Map<String, String> decision = new PlanRollback(Optional.empty(), "rollback requested", false).run(run);
        StepTimePredictor predictor = new StepTimePredictor(jobQueue, upgrade.pair(), settings.assumedCopyBytesPerSecond());
        List<PlannedStep> planned = new ArrayList<>();
        planned.add(predictor.predictRepeating(UpgradeSteps.planRollbackInfo(), List.of()));
        for (UpgradeStep step : UpgradeSteps.rollback(upgrade, decision)) {
            List<StepTimePredictor.Kind> kinds = step instanceof RestoreOldImage
                    ? List.of(StepTimePredictor.Kind.STOP, StepTimePredictor.Kind.LINK, StepTimePredictor.Kind.START)
                    : step instanceof Switchover ? List.of(StepTimePredictor.Kind.SWITCHOVER)
                    : step instanceof StartAndCheck ? List.of(StepTimePredictor.Kind.START) : List.of(StepTimePredictor.Kind.RESYNC);
            planned.add(predictor.predictRepeating(step.info(), kinds));
        }
        Duration window = Duration.ZERO;
        Duration run1 = Duration.ZERO;
        Duration gap = Duration.ZERO;
        Duration total = Duration.ZERO;
        for (PlannedStep p : planned) {
            total = total.plus(p.predicted());
            run1 = p.step().singleSide() ? run1.plus(p.predicted()) : Duration.ZERO;
            window = run1.compareTo(window) > 0 ? run1 : window;
            if (p.step().servedBy().startsWith("nobody")) {
                gap = gap.plus(p.predicted());
            }
        }
        List<String> notes = new ArrayList<>();
        notes.add(planned.size() == 1 ? "nothing to bring back: every member runs its old image" : "rollback of job #" + upgrade.id()
                + ": members go back to their old images with the same volumes; no volume is deleted");
        if (job.state().live()) {
            notes.add("job #" + jobId + " is still " + job.state() + ": the rollback takes it over once its owner's heartbeat is stale");
        }
        return new UpgradePlan(upgrade.pair(), upgrade.strategy(), members(upgrade, true), planned, window, gap, total, 0, predictor.basis(), notes);
    }

    /** The report of a job from its journal, whatever its state. */
    public UpgradeReport status(long jobId) {
        Job job = jobQueue.job(jobId).orElseThrow(() -> new UpgradeRefusedException("No job #" + jobId));
        UpgradeJob upgrade = UpgradeJob.of(job);
        return report(upgrade, job.state(), job.error());
    }

    /** The report of the pair's (or VM's) newest upgrade or rollback job, if it has one. */
    public Optional<UpgradeReport> latest(String pair) {
        return jobQueue.jobs(pair).stream()
                .filter(j -> j.kind().equals(UpgradeJob.KIND_PAIR) || j.kind().equals(UpgradeJob.KIND_VM) || j.kind().equals(UpgradeJob.KIND_ROLLBACK))
                .findFirst().map(j -> status(j.id()));
    }

    private RoleController roleController(UpgradeJob job) {
        if (!job.isPair()) {
            return new RunningVmHealth(drivers);
        }
        PairRecord pair = inventory.pair(job.pair()).orElseThrow(() -> new UpgradeRefusedException("Job #" + job.id() + " is about pair '"
                + job.pair() + "', which is gone from the inventory"));
        try {
            return roleControllers.forPair(pair);
        } catch (IllegalArgumentException e) {
            throw new UpgradeRefusedException("Pair '" + pair.name() + "' has unusable role controller settings: "
                    + e.getMessage().replaceFirst("^Pair '[^']*': ", ""), e);
        }
    }

    /**
     * The checks ran before the job took its VMs' locks; a job that held them in between (and has
     * ended) may have moved them on. Such a job never runs on what it saw: it ends FAILED, untouched.
     */
    private List<VmRecord> lockedAsChecked(Preflight preflight, Preflight.Checked checked, Job job) {
        try {
            return preflight.stillAsChecked(checked.before(), job.id());
        } catch (UpgradeRefusedException stale) {
            jobQueue.finish(job.id(), JobState.FAILED, Optional.of(stale.getMessage()));
            throw stale;
        }
    }

    private Job claimOrRefuse(long jobId) {
        return jobQueue.claim(jobId, settings.node(), settings.staleAfter()).orElseThrow(() -> {
            Optional<Job> job = jobQueue.job(jobId);
            String owner = job.flatMap(Job::owner).orElse("another process");
            String beat = job.flatMap(Job::heartbeat).map(Instant::toString).orElse("unknown");
            return new UpgradeRefusedException("Job #" + jobId + " is being run by " + owner + " (last heartbeat " + beat
                    + "). Follow it with 'duplex upgrade status " + jobId + "'; if that process is dead (its host is gone), take it over with"
                    + " 'duplex upgrade resume " + jobId + " --force'.");
        });
    }

    /** A job just created and claimed, with what its checks read and its members as read under its locks. */
    private record NewJob(Preflight.Checked checked, List<VmRecord> locked) {}

    /**
     * Runs (or carries on) the job. A new job's run starts from what its checks read, and from an empty journal (no one
     * else has written it); a resumed or rolled-back job's run reads its journal and what it needs.
     */
    private UpgradeReport execute(UpgradeJob job, RoleController roleController, UpgradeListener listener, boolean rollbackRequested,
            Optional<NewJob> newJob) {
        String subject = job.isPair() ? "Pair " + job.pair() : "VM " + job.pair();
        // every log line while it runs names the job (the log file's job= field)
        try (org.slf4j.MDC.MDCCloseable jobInLog = org.slf4j.MDC.putCloseable("job", Long.toString(job.id()));
                Heartbeat heartbeat = heartbeats.start(job.id())) {
            Map<String, StepRecord> journal = newJob.isPresent() ? Map.of() : JournaledSteps.latest(jobQueue.journal(job.id()));
            UpgradeRun run = new UpgradeRun(job, inventory, drivers, roleController, listener, settings,
                    new KeptEnvironment(jobQueue, job.id(), journal), () -> {
                heartbeat.check();
                if (listener.stopRequested()) {
                    throw new StepFailure.StopRequested();
                }
            });
            newJob.ifPresent(start -> run.startingFrom(Optional.ofNullable(start.checked().pair()), start.locked(),
                    start.checked().images(), start.checked().volumes()));
            JournaledSteps steps = new JournaledSteps(jobQueue, listener, job.id(), subject, journal);
            boolean rollbackMode = rollbackRequested || journal.containsKey("R0") || job.kind().equals(UpgradeJob.KIND_ROLLBACK);
            try {
                if (rollbackMode) {
                    return rollBack(job, run, steps, new PlanRollback(Optional.empty(), "rollback requested", false));
                }
                return runSteps(job, run, steps);
            } catch (StepFailure.StopRequested stop) {
                return paused(job);
            } catch (RuntimeException escaped) {
                keepLastDone(steps, escaped);
                throw escaped;
            }
        }
    }

    /**
     * A run that escapes (a listener threw, the database failed) writes the DONE of the step that
     * ended before, unless another node took the job over: that journal is its now. A DONE that
     * cannot be written is lost as to a kill, and its step runs again on resume.
     */
    private static void keepLastDone(JournaledSteps steps, RuntimeException escaped) {
        for (Throwable cause = escaped; cause != null; cause = cause.getCause()) {
            if (cause instanceof Heartbeat.OwnershipLost) {
                return;
            }
        }
        try {
            steps.settle();
        } catch (RuntimeException e) {
            escaped.addSuppressed(e);
        }
    }

    private UpgradeReport runSteps(UpgradeJob job, UpgradeRun run, JournaledSteps steps) {
        List<UpgradeStep> list = job.isPair() ? UpgradeSteps.pair(job) : UpgradeSteps.single(job);
        try {
            for (UpgradeStep step : list) {
                steps.run(step, run);
            }
        } catch (JournaledSteps.Failed failed) {
            if (failed.getCause() instanceof StepFailure.StopRequested stop) {
                throw stop;
            }
            if (failed.getCause() instanceof Heartbeat.OwnershipLost lost) {
                throw new IllegalStateException(lost.getMessage(), lost);
            }
            if (failed.getCause() instanceof StepFailure.HealthCheckFailed) {
                String member = failed.step().member();
                String reason = failed.getMessage() + "; " + member + " was brought back on its old image "
                        + job.member(member).image() + " with the same volume" + (job.isPair() ? ", its peer untouched" : "")
                        + afterHealthCheckFailed(job, failed);
                return rollBack(job, run, steps, new PlanRollback(Optional.of(member), reason, true));
            }
            return finish(job, steps, JobState.FAILED, Optional.of(failed.getMessage() + nextStep(job, failed)));
        }
        UpgradeReport report = finish(job, steps, JobState.SUCCEEDED, Optional.empty());
        if (settings.snapshotRetention().isZero()) {
            // Kept for no time: the safety snapshots go as soon as the upgrade is over.
            SafetySnapshots.pruneExpired(inventory, jobQueue, drivers, job.pair(), Duration.ZERO, Instant.now());
        }
        return report;
    }

    private UpgradeReport rollBack(UpgradeJob job, UpgradeRun run, JournaledSteps steps, PlanRollback plan) {
        try {
            Map<String, String> decision = steps.run(plan, run);
            for (UpgradeStep step : UpgradeSteps.rollback(job, decision)) {
                steps.run(step, run);
            }
            if (Boolean.parseBoolean(decision.get(PlanRollback.FAILS_JOB))) {
                return finish(job, steps, JobState.FAILED, Optional.ofNullable(decision.get(PlanRollback.REASON)));
            }
            return finish(job, steps, job.kind().equals(UpgradeJob.KIND_ROLLBACK) ? JobState.SUCCEEDED : JobState.ROLLED_BACK, Optional.empty());
        } catch (JournaledSteps.Failed failed) {
            if (failed.getCause() instanceof StepFailure.StopRequested stop) {
                throw stop;
            }
            if (failed.getCause() instanceof Heartbeat.OwnershipLost lost) {
                throw new IllegalStateException(lost.getMessage(), lost);
            }
            long upgradeJob = job.rollbackOf().orElse(job.id());
            return finish(job, steps, JobState.FAILED, Optional.of("rollback stopped: " + failed.getMessage()
                    + ". Fix the cause, then roll back again: duplex upgrade rollback " + upgradeJob));
        }
    }

    /**
     * The expired safety snapshots of what the checks just read (and found no live job on) go before a new job; the
     * checks read every volume the members link.
     */
    private void pruneExpired(String pairOrVm, Preflight.Checked checked) {
        SafetySnapshots.pruneExpired(jobQueue, drivers, pairOrVm, checked.vms(), volume -> Optional.ofNullable(checked.volumes().get(volume)),
                settings.snapshotRetention(), Instant.now());
    }

    /**
     * A live or stopped job on the pair or its VMs is the reason a new one cannot run: say so
     * first, naming the command that carries it on, before the checks ask the application
     * anything (a member left unhealthy by that job would otherwise be blamed instead).
     */
    private void refuseLiveJob(String target, List<String> vms) {
        jobQueue.liveJobTouching(target, vms).ifPresent(job -> {
            throw new LiveJobExistsException(target, job.id(), job.kind(), Optional.of(job.state()), job.pair());
        });
    }

    /**
     * The operator stopped the run: the job is handed back unfinished (PENDING, its VMs still
     * locked), nothing is undone, and the report names where it stopped and how to carry on.
     */
    private UpgradeReport paused(UpgradeJob job) {
        jobQueue.release(job.id(), settings.node());
        List<StepRecord> journal = jobQueue.journal(job.id());
        journal = journal.stream().filter(record -> !KeptEnvironment.isKeptLine(record.stepId())).toList();
        String where = journal.isEmpty() ? "before its first step"
                : journal.get(journal.size() - 1).state() == StepState.DONE
                        ? "after " + journal.get(journal.size() - 1).stepId()
                        : "during " + journal.get(journal.size() - 1).stepId() + " (it runs again on resume)";
        String message = "stopped as asked " + where + "; nothing was rolled back. Carry it on: duplex upgrade resume " + job.id();
        log.warn("{} job #{} {}", job.pair(), job.id(), message);
        audit.created(new Actor(settings.node()), "upgrade.stopped", object(job.pair(), job.isPair()), new UpgradeAudit.Stopped(job.id(), where));
        return report(job, JobState.PENDING, Optional.of(message));
    }

    /**
     * The one command that moves a pair forward from a job that ended: every refusal and failure
     * names it, so that following the advice never leads back to where it started.
     */
    private String afterEnd(Job job) {
        UpgradeJob upgrade = UpgradeJob.of(job);
        String target = job.pair();
        return switch (job.state()) {
            case FAILED -> " Roll it back: duplex upgrade rollback " + upgrade.rollbackOf().orElse(job.id());
            case ROLLED_BACK, SUCCEEDED -> job.kind().equals(UpgradeJob.KIND_VM)
                    ? " To upgrade " + target + " again: duplex upgrade vm " + target + " --image IMAGE"
                    : (job.kind().equals(UpgradeJob.KIND_PAIR) && job.state() == JobState.SUCCEEDED
                            ? " To go back to the old images: duplex upgrade rollback " + job.id()
                            : " To upgrade " + target + " again: duplex upgrade run " + target + " --image IMAGE");
            default -> "";
        };
    }

    /** The operator's next command once the failed member is back on its old image. */
    private static String afterHealthCheckFailed(UpgradeJob job, JournaledSteps.Failed failed) {
        if (job.isPair() && failed.step().id().equals("S28")) {
            return ". " + job.system(1 - job.originalActive()).member() + " already serves on the new image; to bring it back too: "
                    + "duplex upgrade rollback " + job.id();
        }
        String again = job.isPair() ? "duplex upgrade run " + job.pair() : "duplex upgrade vm " + job.pair();
        return ". Nothing else changed; to try again once the image is fixed: " + again + " --image IMAGE";
    }

    private static String nextStep(UpgradeJob job, JournaledSteps.Failed failed) {
        if (failed.getCause() instanceof StepFailure.ResyncTimedOut && failed.step().id().equals("S24")) {
            return " The switchover did not happen: " + job.system(job.originalActive()).member() + " still serves on its old image.";
        }
        return " Roll back with: duplex upgrade rollback " + job.id();
    }

    private UpgradeReport finish(UpgradeJob job, JournaledSteps steps, JobState state, Optional<String> error) {
        steps.finishJob(state, error);
        UpgradeReport report = report(job, state, error);
        String action = switch (state) {
            case SUCCEEDED -> "upgrade.succeeded";
            case ROLLED_BACK -> "upgrade.rolled-back";
            default -> "upgrade.failed";
        };
        audit.created(new Actor(settings.node()), action, object(job.pair(), job.isPair()),
                new UpgradeAudit.Ended(job.id(), state.name(), job.strategy().key(), error.orElse(null)));
        if (state == JobState.FAILED) {
            log.warn("{} job #{} ended {}: {}", job.pair(), job.id(), state, error.orElse(""));
        } else {
            log.info("{} job #{} ended {} in {} ms (longest single-side window {} ms, switchover gap {} ms, {} bytes copied)", job.pair(),
                    job.id(), state, report.total().toMillis(), report.longestSingleSideWindow().toMillis(),
                    report.switchoverGap().map(Duration::toMillis).orElse(0L), report.bytesCopied());
        }
        return report;
    }

    private UpgradeReport report(UpgradeJob job, JobState state, Optional<String> error) {
        List<StepRecord> journal = jobQueue.journal(job.id());
        Map<String, StepRecord> latest = JournaledSteps.latest(journal);
        Map<String, StepInfo> infos = new LinkedHashMap<>();
        List<UpgradeStep> known = new ArrayList<>(job.isPair() ? UpgradeSteps.pair(job) : UpgradeSteps.single(job));
        StepRecord decision = latest.get("R0");
        if (decision != null) {
            known.addAll(UpgradeSteps.rollback(job, decision.outputs()));
        }
        known.forEach(s -> infos.put(s.info().id(), s.info()));
        infos.put("R0", UpgradeSteps.planRollbackInfo());
        List<StepTiming> steps = new ArrayList<>();
        for (StepRecord record : latest.values()) {
            if (KeptEnvironment.isKeptLine(record.stepId())) {
                continue;
            }
            StepInfo info = infos.get(record.stepId());
            steps.add(new StepTiming(record.stepId(), info == null ? "" : info.action(), info == null ? "" : info.member(), record.state(),
                    record.startedAt(), record.endedAt(), record.error(), record.outputs()));
        }
        return UpgradeReport.of(job, state, error, steps);
    }

    private void record(String actor, String action, Job job, Object detail) {
        audit.created(new Actor(actor), action, object(job.pair(), !job.kind().equals(UpgradeJob.KIND_VM)), detail);
    }

    private static String object(String name, boolean pair) {
        return (pair ? "pair/" : "vm/") + name;
    }
}
