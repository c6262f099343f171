package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.Placement;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.LiveJobExistsException;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/** ACT/SBY pairs: system 0 and system 1, one of them active. */
public final class EnginePairService implements PairService {
    private final Inventory inventory;
    private final JobQueue jobs;
    private final AuditTrail audit;

    @Inject
    public EnginePairService(Inventory inventory, JobQueue jobs, AuditTrail audit) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.audit = requireNonNull(audit, "audit is null");
    }


    public PairRecord create(CreatePair request, Actor actor) {
        if (request.activeSystem() != 0 && request.activeSystem() != 1) {
            throw new IllegalArgumentException("Pair '" + request.name() + "': the active system is 0 or 1, not " + request.activeSystem());
        }
        PairRecord.checkResyncGate(request.name(), request.resyncGate());
        if (inventory.pair(request.name()).isPresent()) {
            throw new InventoryConflictException("A pair named '" + request.name() + "' already exists");
        }
        Placement placement = new Placement(inventory);
        for (String vm : List.of(request.system0(), request.system1())) {
            inventory.vm(vm).orElseThrow(() -> new NotInInventoryException("VM", vm));
            placement.pairOf(vm).ifPresent(other -> {
                throw new InventoryConflictException("VM '" + vm + "' is already a member of pair '" + other.name()
                        + "'; a VM belongs to at most one pair");
            });
        }
        PairRecord pair = new PairRecord(request.name(), request.system0(), request.system1(), request.activeSystem(),
                request.standbyKind(), request.roleController(), request.resyncGate());
        inventory.addPair(pair);
        audit.created(actor, "pair.create", "pair/" + pair.name(), PairService.redacted(pair));
        return pair;
    }

    public List<PairRecord> list() {
        return inventory.pairs();
    }

    public PairRecord show(String name) {
        return inventory.pair(name).orElseThrow(() -> new NotInInventoryException("pair", name));
    }

    /**
     * Forgets a pair that no live job works on; its VMs and volumes stay, and its finished jobs
     * stay in the job history.
     */
    public PairRecord delete(String name, Actor actor) {
        PairRecord pair = show(name);
        Optional<Job> live = jobs.liveJob(name);
        if (live.isPresent()) {
            Job job = live.get();
            throw new LiveJobExistsException(name, job.id(), job.kind(), Optional.of(job.state()), job.pair());
        }
        inventory.removePair(name);
        audit.record(actor, "pair.delete", "pair/" + name, Optional.of(PairService.redacted(pair)), Optional.empty());
        return pair;
    }
}
