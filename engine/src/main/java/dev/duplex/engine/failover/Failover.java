package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BootReport;
import dev.duplex.api.DriverException;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmState;
import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditLog;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import dev.duplex.engine.envsync.CostModel;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.envsync.SyncChooser;
import dev.duplex.engine.envsync.SyncDecision;
import dev.duplex.engine.envsync.SyncPath;
import dev.duplex.engine.envsync.SyncReport;
import dev.duplex.engine.fleet.MemberPlace;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.role.ReportedRole;
import dev.duplex.engine.role.RoleControllerSource;
import dev.duplex.engine.upgrade.StepInfo;
import dev.duplex.engine.upgrade.UpgradeListener;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed S400: fails a pair over to its cold standby.
 *
 * <ol>
 *   <li>Claims the pair: a {@code failover} job (the database refuses a second live job on the
 *       pair with {@link dev.duplex.engine.job.LiveJobExistsException}).
 *   <li>Checks, touching nothing: the standby is cold and not running, and the active's latest
 *       recorded info is not older than the standby's.
 *   <li>{@code fence}: powers the old active off and confirms it ({@link Fence}); refused unless forced.
 *   <li>{@code sync}: brings the standby's info to the active's latest recorded revision —
 *       nothing when equal, else the stored diff or a full write, whichever the chooser predicts
 *       faster (the standby's calibrated {@link CostModel}, else the half-size rule); saves the
 *       model corrected by what was measured, and records that info as the standby's latest.
 *   <li>{@code start}: starts the standby.
 *   <li>{@code promote}: waits for it to report healthy, asks the pair's role controller to make it
 *       the active, and checks that it reports ACT: recording a role the application does not
 *       serve would leave the pair without an active.
 *   <li>{@code record-roles}: records the standby as the pair's active; audits; ends the job.
 * </ol>
 * Each phase is journaled before and after it runs. A failed phase fails the job; its message
 * says what state the pair is in. The standby is never started before the old active is fenced
 * and the standby's info is synced.
 */
public final class Failover {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    /** The job kind. */
    public static final String JOB_KIND = "failover";
    /** After this long without a heartbeat another node may take the job over. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(2);
    /** How long the started standby may take to report healthy, then ACT once promoted. */
    public static final Duration PROMOTE_TIMEOUT = Duration.ofSeconds(60);
    /** Between health polls of the started standby: each poll is one local request, and every wait adds to the outage. */
    private static final Duration POLL = Duration.ofMillis(10);

    private final Inventory inventory;
    private final EnvironmentArchive archive;
    private final JobQueue jobs;
    private final AuditTrail audit;
    private final EndpointDrivers drivers;
    private final Fence fence;
    private final EnvironmentSync sync;
    private final String node;
    private final Duration staleAfter;
    private final Clock clock;
    private final LongSupplier nanoClock;
    private final RoleControllerSource roleControllers;
    private final Duration promoteTimeout;

    public Failover(Inventory inventory, EnvironmentArchive archive, JobQueue jobs, AuditLog audit,
            EndpointDrivers drivers, RoleControllerSource roleControllers, String node) {
        this(inventory, archive, jobs, audit, drivers, roleControllers, new Fence(drivers), new EnvironmentSync(), node, STALE_AFTER,
                PROMOTE_TIMEOUT, Clock.systemUTC(), System::nanoTime);
    }

    public Failover(Inventory inventory, EnvironmentArchive archive, JobQueue jobs, AuditLog audit,
            EndpointDrivers drivers, RoleControllerSource roleControllers, Fence fence, EnvironmentSync sync, String node,
            Duration staleAfter, Duration promoteTimeout, Clock clock, LongSupplier nanoClock) {
        this.roleControllers = requireNonNull(roleControllers, "roleControllers is null");
        this.promoteTimeout = requireNonNull(promoteTimeout, "promoteTimeout is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.archive = requireNonNull(archive, "archive is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.audit = new AuditTrail(requireNonNull(audit, "audit is null"), clock);
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.fence = requireNonNull(fence, "fence is null");
        this.sync = requireNonNull(sync, "sync is null");
        this.node = requireNonNull(node, "node is null");
        this.staleAfter = requireNonNull(staleAfter, "staleAfter is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    private Failover(Failover settings, JobQueue jobs) {
        this.roleControllers = settings.roleControllers;
        this.promoteTimeout = settings.promoteTimeout;
        this.inventory = settings.inventory;
        this.archive = settings.archive;
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.audit = settings.audit;
        this.drivers = settings.drivers;
        this.fence = settings.fence;
        this.sync = settings.sync;
        this.node = settings.node;
        this.staleAfter = settings.staleAfter;
        this.clock = settings.clock;
        this.nanoClock = settings.nanoClock;
    }

    /**
     * The same failover, its job written through {@code journal} applied to this one's queue: a
     * decorator that watches the journal (a stopwatch on the phases, a note of the job's number)
     * and passes every call on.
     */
    public Failover withJobs(java.util.function.UnaryOperator<JobQueue> journal) {
        return new Failover(this, journal.apply(jobs));
    }

    /**
     * Fails {@code pairName} over to its standby.
     *
     * @param force go on when the old active cannot be confirmed off (risking two actives)
     * @param requestedBy who asks ({@code user@host}), for the job and the audit log
     * @throws FenceRefusedException when the old active cannot be confirmed off and {@code force} is false
     * @throws FailoverException when a phase failed; the message says what state the pair is in
     */
    public FailoverReport failover(String pairName, boolean force, String requestedBy) {
        return failover(pairName, force, false, requestedBy);
    }

    /**
     * Fails {@code pairName} over to its standby.
     *
     * @param force go on when the old active cannot be confirmed off (risking two actives)
     * @param fullWrite write the standby's whole environment info, whatever its revision and the chooser say
     * @param requestedBy who asks ({@code user@host}), for the job and the audit log
     * @throws FenceRefusedException when the old active cannot be confirmed off and {@code force} is false
     * @throws FailoverException when a phase failed; the message says what state the pair is in
     */
    public FailoverReport failover(String pairName, boolean force, boolean fullWrite, String requestedBy) {
        return failover(pairName, force, fullWrite, requestedBy, UpgradeListener.NONE);
    }

    /**
     * Fails {@code pairName} over to its standby, telling {@code progress} of each phase as it starts
     * and ends (as journaled) and of what the promote phase waits for, at every poll. It is the
     * listener upgrades report to, so that the frontends show a failover's phases and waits as they
     * show an upgrade's steps.
     *
     * @param force go on when the old active cannot be confirmed off (risking two actives)
     * @param fullWrite write the standby's whole environment info, whatever its revision and the chooser say
     * @param requestedBy who asks ({@code user@host}), for the job and the audit log
     * @param progress told of the phases and waits; called on the failing-over thread, so it must be quick
     * @throws FenceRefusedException when the old active cannot be confirmed off and {@code force} is false
     * @throws FailoverException when a phase failed; the message says what state the pair is in
     */
    public FailoverReport failover(String pairName, boolean force, boolean fullWrite, String requestedBy, UpgradeListener progress) {
        requireNonNull(requestedBy, "requestedBy is null");
        requireNonNull(progress, "progress is null");
        long start = nanoClock.getAsLong();
        PairRecord pair = coldPair(pairName);
        PairMember active = PairMember.of(inventory, pair, pair.activeSystem());
        PairMember standby = PairMember.of(inventory, pair, 1 - pair.activeSystem());
        RoleController roles = promotingController(pair);
        abandonStaleFailover(pair.name());
        Job job = jobs.createClaimed(JOB_KIND, pair.name(), requestedBy,
                Map.of("from", active.name(), "to", standby.name(), "force", Boolean.toString(force), "full", Boolean.toString(fullWrite)), node);
        long jobId = job.id();
        org.slf4j.MDC.put("job", Long.toString(jobId)); // every log line of the failover names its job
        log.info("Failover of pair {} (job #{}): {} -> {}{}", pair.name(), jobId, active.name(), standby.name(),
                force ? " (forced)" : "");
        try {
            Checked checked = check(pair, active, standby);
            Optional<StoredRevision> latest = checked.latest();
            Duration prepareTime = since(start);
            // Each phase's time is its work alone; the journal writes around it count as Duplex's overhead.
            Map<String, Duration> worked = new LinkedHashMap<>();

            Phases phases = new Phases(jobId, worked, progress);
            FenceResult fenced = phases.run(step("fence", "power " + active.name() + " off and confirm it is off", active),
                    () -> fence.fence(active, force),
                    r -> Map.of("confirmed", Boolean.toString(r.confirmed()), "detail", r.detail()),
                    e -> e instanceof FenceRefusedException ? null
                            : "Fencing the old active " + active.name() + " failed: " + message(e)
                                    + "; nothing was started. Fix the cause and run the failover again");
            Duration fenceTime = worked.get("fence");

            String syncAction = latest.map(r -> "bring the environment info of " + standby.name() + " to revision " + r.snapshot().revision())
                    .orElse("keep the environment info of " + standby.name() + " (none of " + active.name() + " is recorded)");
            SyncReport synced = phases.run(step("sync", syncAction, standby),
                    () -> sync(active, standby, latest, checked.standbyInfo(), fullWrite), FailoverOutputs::of,
                    e -> "Syncing the environment of the standby " + standby.name() + " failed: " + message(e)
                            + ". The old active " + active.name() + " is fenced and " + standby.name()
                            + " was not started: the pair is down. Fix the cause and run 'duplex failover "
                            + pair.name() + "' again, or start " + active.name() + " again");
            Duration syncTime = worked.get("sync");

            phases.run(step("start", "power " + standby.name() + " on", standby), () -> start(standby),
                    boot -> Map.of("bytesCopied", Long.toString(boot.bytesCopied())),
                    e -> "Starting the standby " + standby.name() + " failed: " + message(e) + ". The old active "
                            + active.name() + " is fenced and " + standby.name() + " is not running: the pair is "
                            + "down. Fix the cause and run 'duplex failover " + pair.name() + "' again, or start "
                            + active.name() + " again");
            Duration startTime = worked.get("start");

            StepInfo promoting = step("promote", "wait for " + standby.name() + " to report healthy, make it the active", standby);
            Promotion promoted = phases.run(promoting, () -> promote(pair, roles, standby, what -> progress.waiting(jobId, promoting, what)),
                    p -> Map.of("role", p.role().name(), "healthWaitNanos", Long.toString(p.healthWait().toNanos())),
                    e -> standby.name() + " was started but did not take over as the active: " + message(e)
                            + ". " + stopAgain(standby) + " The old active " + active.name()
                            + " stays fenced: the pair is down. Fix the cause and run 'duplex failover " + pair.name()
                            + "' again, or start " + active.name() + " again");
            Duration promoteTime = worked.get("promote");

            long recordStart = nanoClock.getAsLong();
            phases.run(step("record-roles", "record " + standby.name() + " as the active of " + pair.name(), standby), () -> {
                inventory.setActiveSystem(pair.name(), standby.system());
                return standby.name();
            }, name -> Map.of("active", name),
                    e -> standby.name() + " runs as the new active, but recording it failed: " + message(e)
                            + ". The inventory still names " + active.name() + " active; do not run the failover "
                            + "again (it would fence " + standby.name() + ")");

            audit.record(new Actor(requestedBy), "pair.failover", "pair/" + pair.name(), Optional.of(new ActiveBefore(active.name())),
                    Optional.of(new ActiveAfter(standby.name(), synced.performed().name(), fenced.confirmed())));
            jobs.finish(jobId, JobState.SUCCEEDED, Optional.empty());
            Duration recordTime = since(recordStart);
            Duration total = since(start);
            log.info("Failover of pair {} done in {} ms: prepare {} ms, fence {} ms, sync {} ms ({}), start {} ms, promote {} ms"
                    + " (health wait {} ms), record {} ms; {} is active", pair.name(), total.toMillis(), prepareTime.toMillis(),
                    fenceTime.toMillis(), syncTime.toMillis(), synced.performed(), startTime.toMillis(), promoteTime.toMillis(),
                    promoted.healthWait().toMillis(), recordTime.toMillis(), standby.name());
            return new FailoverReport(jobId, pair.name(), active.name(), standby.name(), fenced, synced, fenceTime,
                    syncTime, startTime, promoteTime, total, new FailoverReport.Overhead(prepareTime, promoted.healthWait(), recordTime));
        } catch (RuntimeException e) {
            if (jobs.job(jobId).map(j -> j.state().live()).orElse(false)) {
                jobs.finish(jobId, JobState.FAILED, Optional.of(message(e)));
            }
            throw e;
        } finally {
            org.slf4j.MDC.remove("job");
        }
    }

    /**
     * A start whose answer was lost (a timeout, a dropped connection) may have worked: the VM's
     * state decides, so that a running standby is promoted rather than reported down, which would
     * leave the pair without an active and refuse the next failover (its standby runs).
     */
    private BootReport start(PairMember standby) {
        HypervisorDriver driver = drivers.driver(standby.endpoint());
        try {
            return driver.start(standby.ref());
        } catch (DriverException e) {
            if (!e.retryable()) {
                throw e;
            }
            VmState state;
            try {
                state = driver.state(standby.ref());
            } catch (DriverException unknown) {
                e.addSuppressed(unknown);
                throw e;
            }
            if (state != VmState.RUNNING) {
                throw e;
            }
            log.warn("Starting {} answered '{}', but it runs: going on with the failover", standby.name(), e.getMessage());
            return new BootReport(standby.ref(), 0, Duration.ZERO);
        }
    }

    /**
     * What {@link #failover} would do now, with the same refusals before the fence (an unknown or hot
     * pair, no promoting role controller, a running standby, a standby newer than the active's
     * record): which member is fenced, and whether nothing, the diff or the whole info would be
     * written, with the chooser's predicted times. Reads the inventory, the archive and the
     * standby's state and info; changes nothing and creates no job.
     */
    public FailoverPlan plan(String pairName, boolean fullWrite) {
        PairRecord pair = coldPair(pairName);
        PairMember active = PairMember.of(inventory, pair, pair.activeSystem());
        PairMember standby = PairMember.of(inventory, pair, 1 - pair.activeSystem());
        promotingController(pair);
        Checked checked = check(pair, active, standby);
        Optional<Long> to = checked.latest().map(r -> r.snapshot().revision());
        Optional<Long> from = checked.standbyInfo().map(EnvironmentSnapshot::revision);
        // The checks read the standby's info exactly when the active has a recorded revision.
        SyncDecision decision = checked.standbyInfo()
                .map(info -> new SyncForecast(archive, sync).predict(active.name(), standby.name(), checked.latest(), info, fullWrite))
                .orElseGet(() -> SyncForecast.nothingRecorded(active.name(), standby.name()));
        return new FailoverPlan(pair.name(), active.name(), standby.name(), from, to, decision, place(active), place(standby));
    }

    /** Where a member runs, from the inventory: its endpoint and that endpoint's driver. */
    private MemberPlace place(PairMember member) {
        String driver = inventory.endpoint(member.endpoint()).map(e -> e.driverKind()).orElse("unknown");
        return new MemberPlace(member.system(), member.name(), member.endpoint(), driver);
    }

    private PairRecord coldPair(String pairName) {
        PairRecord pair = PairMember.pair(inventory, pairName);
        if (pair.standbyKind() != StandbyKind.COLD) {
            throw new IllegalArgumentException("Pair " + pair.name() + " has a hot standby; failover syncs the "
                    + "environment of a cold (powered-off) standby and boots it. A hot standby takes over through "
                    + "its role controller");
        }
        return pair;
    }

    /**
     * A failover whose node died (no heartbeat for {@link #STALE_AFTER}) would hold the pair
     * forever: there is no resuming a failover, it is simply run again (fencing and syncing are
     * idempotent). So such a job is claimed and ended FAILED. A live one is left alone, and
     * creating the new job then fails with {@link dev.duplex.engine.job.LiveJobExistsException}.
     */
    private void abandonStaleFailover(String pair) {
        jobs.liveJob(pair).filter(live -> live.kind().equals(JOB_KIND))
                .flatMap(live -> jobs.claim(live.id(), node, staleAfter))
                .ifPresent(stale -> {
                    log.warn("Failover job #{} of pair {} was abandoned by its node; ending it and starting anew",
                            stale.id(), pair);
                    jobs.finish(stale.id(), JobState.FAILED, Optional.of("abandoned (no heartbeat for "
                            + staleAfter.toSeconds() + " s); a new failover took the pair over"));
                });
    }

    /**
     * The pair's role controller, which must be able to promote the standby alone: a failover that
     * only records the new active in the inventory leaves the application serving as SBY.
     */
    private RoleController promotingController(PairRecord pair) {
        RoleController controller;
        try {
            controller = roleControllers.forPair(pair);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Pair " + pair.name() + " cannot fail over: " + e.getMessage()
                    + ". A failover must make the standby serve as ACT through the pair's role controller; create the pair with "
                    + "--role-controller type=http (or exec) settings", e);
        }
        if (!controller.canPromote()) {
            throw new IllegalArgumentException("Pair " + pair.name() + " cannot fail over: its " + controller.describe()
                    + " role controller cannot promote a member while its peer is down");
        }
        return controller;
    }

    /** What the promote phase found: the role read back, and how long the standby took to report healthy first. */
    private record Promotion(Role role, Duration healthWait) {}

    /**
     * Waits for the started standby to report healthy, promotes it, and checks that it reports ACT;
     * tells {@code waiting} what it waits for at every poll (a slow boot is minutes of silence otherwise).
     */
    private Promotion promote(PairRecord pair, RoleController roles, PairMember standby, java.util.function.Consumer<String> waiting) {
        long started = nanoClock.getAsLong();
        VmRecord vm = inventory.vm(standby.name()).orElseThrow(() -> new NotInInventoryException("VM", standby.name()));
        PairContext context = new PairContext(pair.name(), List.of(new PairContext.Member(vm.name(), standby.system(),
                vm.endpoint(), vm.driverRef(), vm.properties())), pair.roleController());
        long deadline = nanoClock.getAsLong() + promoteTimeout.toNanos();
        HealthStatus health = roles.health(context, standby.name());
        while (!health.healthy()) {
            if (nanoClock.getAsLong() > deadline) {
                throw new IllegalStateException("it did not report healthy within " + promoteTimeout.toSeconds() + " s ("
                        + health.detail() + ")");
            }
            waiting.accept("health of " + standby.name() + ": " + health.detail());
            pause();
            health = roles.health(context, standby.name());
        }
        Duration healthWait = since(started);
        Optional<RuntimeException> promoteFailed = Optional.empty();
        try {
            roles.promote(context, standby.name());
        } catch (RuntimeException e) {
            // No answer in time is not "no": the application may still take the role; its answers below decide.
            promoteFailed = Optional.of(e);
        }
        // no answer is "not yet": stopping a standby that did take the role (its promotion's answer or this read lost)
        // would leave the pair down
        Optional<Role> role = ReportedRole.of(roles, context, standby.name());
        while (!role.equals(Optional.of(Role.ACT))) {
            String reports = role.map(Role::name).orElse("nothing (no answer)");
            if (nanoClock.getAsLong() > deadline) {
                throw new IllegalStateException(promoteFailed.map(e -> "its promotion failed (" + message(e) + ") and it")
                        .orElse("it was promoted but") + " still reports " + reports + " after " + promoteTimeout.toSeconds() + " s");
            }
            waiting.accept(standby.name() + " to report ACT (it reports " + reports + ")");
            pause();
            role = ReportedRole.of(roles, context, standby.name());
        }
        if (promoteFailed.isPresent()) {
            // It took the role after the call gave up: asking again is harmless now, and runs what is composed
            // after the promotion (repointing a service address).
            roles.promote(context, standby.name());
        }
        return new Promotion(Role.ACT, healthWait);
    }

    /** After a failed promotion: the standby is stopped again, so that running the failover again finds it cold. */
    private String stopAgain(PairMember standby) {
        try {
            drivers.driver(standby.endpoint()).stop(standby.ref(), StopMode.FORCE);
            return standby.name() + " was stopped again.";
        } catch (RuntimeException e) {
            return "Stopping " + standby.name() + " again failed too (" + message(e) + "); stop it with 'duplex vm stop "
                    + standby.name() + "'.";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the standby to take over", e);
        }
    }

    /** What the audit log keeps of the pair before a failover. */
    record ActiveBefore(String active) {}

    /** What the audit log keeps of the pair after it: the new active, the sync performed, whether the fence was confirmed. */
    record ActiveAfter(String active, String sync, boolean fenceConfirmed) {}

    /** What the checks read: the active's latest recorded info, and the standby's own (read once, reused by the sync). */
    private record Checked(Optional<StoredRevision> latest, Optional<EnvironmentSnapshot> standbyInfo) {}

    private Checked check(PairRecord pair, PairMember active, PairMember standby) {
        HypervisorDriver driver = drivers.driver(standby.endpoint());
        VmState state = driver.state(standby.ref());
        if (state == VmState.RUNNING || state == VmState.STARTING) {
            throw new IllegalStateException("The standby " + standby.name() + " of pair " + pair.name() + " is "
                    + state + "; a cold standby must be off before failover (its environment is written while it "
                    + "is off). Stop it with 'duplex vm stop " + standby.name() + "' if it should not run");
        }
        Optional<StoredRevision> latest = archive.latestRevision(active.name());
        Optional<EnvironmentSnapshot> standbyInfo = Optional.empty();
        if (latest.isPresent()) {
            // The standby is off and stays so until the sync: what is read now is what the sync starts from.
            standbyInfo = Optional.of(driver.environment(standby.ref()).read());
            long standbyRevision = standbyInfo.get().revision();
            long activeRevision = latest.get().snapshot().revision();
            if (standbyRevision > activeRevision) {
                throw new IllegalStateException("The standby " + standby.name() + " is at environment revision "
                        + standbyRevision + ", newer than the latest recorded for " + active.name() + " ("
                        + activeRevision + "); push the active's info ('duplex env push " + pair.name()
                        + "') before failing over");
            }
            // Info the standby's store could hold but its VM not boot on (another firmware's settings,
            // say from a pair across drivers) is refused now, while the old active still serves.
            try {
                driver.environment(standby.ref()).check(latest.get().snapshot());
            } catch (InvalidSpecException e) {
                throw new IllegalStateException("The environment info recorded for " + active.name() + " (revision "
                        + latest.get().snapshot().revision() + ") cannot be used by the standby " + standby.name() + ": "
                        + e.getMessage() + ". Nothing was fenced or written; " + active.name() + " still serves", e);
            }
        }
        return new Checked(latest, standbyInfo);
    }

    private SyncReport sync(PairMember active, PairMember standby, Optional<StoredRevision> latest,
            Optional<EnvironmentSnapshot> standbyInfo, boolean fullWrite) {
        if (latest.isEmpty()) {
            String reason = "no environment info of " + active.name() + " is recorded (duplex env push); "
                    + standby.name() + " keeps its own";
            log.warn("Failover to {}: {}", standby.name(), reason);
            var decision = new SyncDecision(SyncPath.NONE, Optional.empty(), Optional.empty(), reason);
            return new SyncReport(decision, SyncPath.NONE, 0, 0, Duration.ZERO, 0, Optional.empty(), reason);
        }
        EnvironmentStore store = drivers.driver(standby.endpoint()).environment(standby.ref());
        EnvironmentSnapshot target = latest.get().snapshot();
        EnvironmentSnapshot current = standbyInfo.orElseGet(store::read);
        Optional<String> forcedFull = fullWrite ? Optional.of("a full write was asked for (--full)") : Optional.empty();
        if (current.revision() == target.revision()) {
            // A revision is not trusted without its content: a write verified wrong, or a store changed
            // behind Duplex's back, keeps the revision and must not boot as if synced.
            List<String> differing = EnvironmentPush.differingItems(current, target);
            if (!differing.isEmpty()) {
                forcedFull = Optional.of("the standby's info at revision " + current.revision() + " does not match the recorded one ("
                        + String.join(", ", differing) + ")");
            }
        }
        if (forcedFull.isPresent()) {
            SyncReport report = sync.fullWrite(store, target, forcedFull.get());
            archive.saveRevision(new StoredRevision(standby.name(), target, clock.instant()));
            return report;
        }
        // S300 again at failover: with no stored diff (every fail-back has none), extract it now from
        // the standby's current info, so the chooser still has the diff to weigh against a full write.
        Optional<byte[]> diff = current.revision() == target.revision()
                ? Optional.empty()
                : archive.diff(standby.name(), current.revision(), target.revision()).map(StoredDiff::encoded)
                        .or(() -> sync.prepare(target, current));
        SyncReport report = sync.failover(store, target, diff, chooser(standby.name()));
        report.learnedModel().ifPresent(model -> archive.saveCalibration(standby.name(), model.toMap()));
        // The standby now holds this info and is about to become the active: record it as its
        // latest, so that status shows it and a later failover back syncs the old active to it.
        archive.saveRevision(new StoredRevision(standby.name(), target, clock.instant()));
        return report;
    }

    private SyncChooser chooser(String target) {
        Optional<CostModel> model = Optional.empty();
        try {
            model = archive.calibration(target).map(CostModel::fromMap);
        } catch (IllegalArgumentException e) {
            log.warn("The saved cost model of {} is unreadable ({}); using the half-size rule; "
                    + "run 'duplex env calibrate {}'", target, e.getMessage(), target);
        }
        return SyncChooser.of(model);
    }

    private static StepInfo step(String phase, String action, PairMember member) {
        return new StepInfo(phase, action, member.name(), "", false);
    }

    /**
     * Runs the phases of one failover job: each journaled before and after it runs, its own time
     * (the work alone) kept in {@code worked}, and told to {@code progress}.
     */
    private final class Phases {
        private final long jobId;
        private final Map<String, Duration> worked;
        private final UpgradeListener progress;

        Phases(long jobId, Map<String, Duration> worked, UpgradeListener progress) {
            this.jobId = jobId;
            this.worked = worked;
            this.progress = progress;
        }

        <T> T run(StepInfo step, Supplier<T> work, java.util.function.Function<T, Map<String, String>> outputs,
                java.util.function.Function<RuntimeException, String> failure) {
            String phase = step.id();
            jobs.stepStarted(jobId, phase);
            progress.stepStarted(jobId, step);
            T result;
            long started = nanoClock.getAsLong();
            try {
                result = work.get();
                worked.put(phase, since(started));
            } catch (RuntimeException e) {
                jobs.stepFailed(jobId, phase, message(e));
                progress.stepFailed(jobId, step, since(started), message(e));
                String described = failure.apply(e);
                if (described == null) {
                    throw e;
                }
                throw new FailoverException(phase, described, e);
            }
            Map<String, String> written = new LinkedHashMap<>(outputs.apply(result));
            jobs.stepDone(jobId, phase, written);
            progress.stepEnded(jobId, step, worked.get(phase), written);
            if (!jobs.heartbeat(jobId, node)) {
                log.warn("Failover job #{} is no longer owned by {} after {}", jobId, node, phase);
            }
            return result;
        }
    }

    private Duration since(long start) {
        return Duration.ofNanos(nanoClock.getAsLong() - start);
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return e instanceof DriverException d && d.retryable() ? message + " (temporary)" : message;
    }
}
