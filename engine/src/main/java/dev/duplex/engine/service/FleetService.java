package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.config.DuplexConfig;
import dev.duplex.engine.fleet.DatabaseConnections;
import dev.duplex.engine.fleet.FleetForecast;
import dev.duplex.engine.fleet.FleetJob;
import dev.duplex.engine.fleet.FleetJobReport;
import dev.duplex.engine.fleet.FleetListener;
import dev.duplex.engine.fleet.FleetPlan;
import dev.duplex.engine.fleet.FleetRefusedException;
import dev.duplex.engine.fleet.FleetRequest;
import dev.duplex.engine.fleet.FleetRollbackReport;
import dev.duplex.engine.fleet.FleetRun;
import dev.duplex.engine.fleet.FleetStatus;
import dev.duplex.engine.fleet.MemberPlace;
import dev.duplex.engine.fleet.PairForecast;
import dev.duplex.engine.fleet.PairLabels;
import dev.duplex.engine.fleet.Wave;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.JobHistory;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.upgrade.RollingUpgrade;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fleet upgrades (issue 15): many pairs, selected by name pattern, labels or endpoint, upgraded in
 * waves as one job that can be watched, resumed after its orchestrator died, and rolled back wave
 * by wave. Each pair is the ordinary pair upgrade, so one member of every pair serves throughout,
 * and the job queue's one-live-job-per-pair rule means the fleet never runs two jobs on one pair.
 */
public final class FleetService {
    /** How many finished jobs the predictions look back over. */
    static final int HISTORY = 2000;
    /** How a plan's note names a pair the fleet cannot start with. */
    private static final String HELD = "the fleet refuses to start while this pair is in a live job: ";

    private final Inventory inventory;
    private final PairLabels labels;
    private final JobQueue jobs;
    private final JobHistory history;
    private final AuditTrail audit;
    private final FleetRun fleets;
    private final DatabaseConnections connections;

    @Inject
    public FleetService(Inventory inventory, PairLabels labels, JobQueue jobs, JobHistory history, AuditTrail audit, RollingUpgrade upgrade,
            DuplexConfig config, DatabaseConnections connections) {
        this(inventory, labels, jobs, history, audit, upgrade.withSettings(UpgradeService.settings(config)), connections);
    }

    /** With an engine configured by the caller (tests), on ports that do not count connections. */
    public FleetService(Inventory inventory, PairLabels labels, JobQueue jobs, JobHistory history, AuditTrail audit, RollingUpgrade configured) {
        this(inventory, labels, jobs, history, audit, configured, DatabaseConnections.UNBOUNDED);
    }

    /** With an engine configured by the caller and the database's connections (the fleet simulation). */
    public FleetService(Inventory inventory, PairLabels labels, JobQueue jobs, JobHistory history, AuditTrail audit, RollingUpgrade configured,
            DatabaseConnections connections) {
        this.connections = requireNonNull(connections, "connections is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.history = requireNonNull(history, "history is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.fleets = new FleetRun(jobs, requireNonNull(configured, "configured is null"), System::nanoTime);
    }

    /** The waves, each pair's members (endpoint and driver) and predicted times; touches nothing. */
    public FleetForecast plan(FleetRequest request) {
        requireNonNull(request, "request is null");
        if (inventory.image(request.image()).isEmpty()) {
            throw new NotInInventoryException("image", request.image());
        }
        List<String> selected = request.selection().select(inventory, labels.all());
        if (selected.isEmpty()) {
            throw new FleetRefusedException("The selection (" + request.selection().describe() + ") matches no pair;"
                    + " 'duplex pair list' shows the pairs and their labels");
        }
        Predictions predictions = predictions();
        FleetPlan plan = FleetPlan.of(selected, request.canary(), request.maxInFlight(), predictions.median());
        Map<String, Endpoint> endpoints = new HashMap<>();
        inventory.endpoints().forEach(e -> endpoints.put(e.name(), e));
        // one read of the pairs and VMs, not two per pair: a fleet may have 10,000
        Map<String, PairRecord> pairRecords = new HashMap<>();
        inventory.pairs().forEach(p -> pairRecords.put(p.name(), p));
        Map<String, VmRecord> vms = new HashMap<>();
        inventory.vms().forEach(v -> vms.put(v.name(), v));
        Map<String, Job> live = jobs.liveJobs(selected);
        List<PairForecast> pairs = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Wave wave : plan.waves()) {
            for (String name : wave.pairs()) {
                PairRecord pair = Optional.ofNullable(pairRecords.get(name)).orElseThrow(() -> new NotInInventoryException("pair", name));
                List<MemberPlace> members = new ArrayList<>();
                for (int system = 0; system < 2; system++) {
                    String vm = pair.member(system);
                    String endpoint = Optional.ofNullable(vms.get(vm)).map(VmRecord::endpoint).orElse("?");
                    String driver = Optional.ofNullable(endpoints.get(endpoint)).map(Endpoint::driverKind).orElse("?");
                    members.add(new MemberPlace(system, vm, endpoint, driver));
                }
                pairs.add(new PairForecast(name, wave.number(), members, predictions.of(name)));
                Optional.ofNullable(live.get(name)).ifPresent(job -> notes.add(HELD + name + " (job #" + job.id() + ", " + job.kind() + ")"));
            }
        }
        FleetForecast forecast = new FleetForecast(request, plan, pairs, Optional.empty(), notes);
        Optional<Duration> total = Optional.of(Duration.ZERO);
        for (Wave wave : plan.waves()) {
            Optional<Duration> waveTime = forecast.predictedWave(wave.number());
            total = total.flatMap(t -> waveTime.map(t::plus));
        }
        return new FleetForecast(request, plan, pairs, total, notes);
    }

    /**
     * Plans and runs a fleet upgrade in this thread: refused before anything is touched when the
     * selection is empty, the image unknown, or a selected pair is in a live job.
     */
    public FleetJobReport run(FleetRequest request, Actor actor, FleetListener listener) {
        FleetForecast forecast = plan(request);
        List<String> held = forecast.notes().stream().filter(n -> n.startsWith(HELD)).map(n -> n.substring(HELD.length())).toList();
        if (!held.isEmpty()) {
            throw new FleetRefusedException("Pairs of the fleet are in live jobs: " + String.join(", ", held.subList(0, Math.min(5, held.size())))
                    + (held.size() > 5 ? ", ..." : "") + "; wait for them or resume them ('duplex upgrade resume JOB'), then run the fleet again");
        }
        audit.record(actor, "upgrade.fleet", FleetJob.target(request.image()), Optional.empty(),
                Optional.of(Map.of("selection", request.selection().describe(), "pairs", forecast.plan().pairCount(),
                        "waves", forecast.plan().waves().size(), "max_in_flight", request.maxInFlight())));
        connectionsFor(request.maxInFlight());
        return fleets.start(request, forecast.plan(), listener);
    }

    /** Continues a fleet job whose orchestrator died: pairs done are skipped, live pair jobs resumed, the rest run. */
    public FleetJobReport resume(long fleetJobId, boolean takeOverNow, Actor actor, FleetListener listener) {
        audit.record(actor, "upgrade.fleet.resume", "job/" + fleetJobId, Optional.empty(), Optional.empty());
        fleets.maxInFlight(fleetJobId).ifPresent(this::connectionsFor);
        return fleets.resume(fleetJobId, takeOverNow, listener);
    }

    /** Rolls a finished fleet back wave by wave, last wave first, or only {@code wave}. */
    public FleetRollbackReport rollback(long fleetJobId, Optional<Integer> wave, Actor actor, FleetListener listener) {
        audit.record(actor, "upgrade.fleet.rollback", "job/" + fleetJobId, Optional.empty(), Optional.of(Map.of("wave", wave.map(String::valueOf).orElse("all"))));
        fleets.maxInFlight(fleetJobId).ifPresent(this::connectionsFor);
        return fleets.rollback(fleetJobId, wave, actor.name(), listener);
    }

    public FleetStatus status(long fleetJobId) {
        return fleets.status(fleetJobId);
    }

    /** True when job {@code id} exists and is a fleet upgrade (the CLI's resume, rollback and status take both kinds). */
    public boolean isFleetJob(long id) {
        return jobs.job(id).map(FleetJob::isFleet).orElse(false);
    }

    /** Connections enough that pairs wait for their platform, not for the pool (see DatabaseConnections). */
    private void connectionsFor(int inFlight) {
        connections.ensure(DatabaseConnections.wantedFor(inFlight));
    }

    private Predictions predictions() {
        Map<String, Duration> byPair = new HashMap<>();
        List<Duration> all = new ArrayList<>();
        for (JobEntry entry : history.recent(HISTORY)) {
            Job job = entry.job();
            if (!job.kind().equals("upgrade") || job.state() != JobState.SUCCEEDED || entry.startedAt().isEmpty() || entry.finishedAt().isEmpty()) {
                continue;
            }
            Duration took = Duration.between(entry.startedAt().get(), entry.finishedAt().get());
            byPair.putIfAbsent(job.pair(), took); // newest first: a pair's latest run
            all.add(took);
        }
        all.sort(Duration::compareTo);
        Optional<Duration> median = all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() / 2));
        return new Predictions(byPair, median);
    }

    private record Predictions(Map<String, Duration> byPair, Optional<Duration> median) {
        Optional<Duration> of(String pair) {
            return Optional.ofNullable(byPair.get(pair)).or(() -> median);
        }
    }
}
