package dev.duplex.engine.service;

import dev.duplex.api.Redaction;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.PairRecord;
import java.util.List;

/**
 * ACT/SBY pairs: system 0 and system 1, one of them active. One interface for both transports
 * ({@link EnginePairService} in this process, or over HTTP).
 */
public interface PairService {
    /** The pair as shown and audited: role-controller secrets (tokens, passwords) redacted. */
    static PairRecord redacted(PairRecord pair) {
        return new PairRecord(pair.name(), pair.system0(), pair.system1(), pair.activeSystem(), pair.standbyKind(),
                Redaction.redactSettings(pair.roleController()), pair.resyncGate());
    }

    PairRecord create(CreatePair request, Actor actor);

    List<PairRecord> list();

    PairRecord show(String name);

    /** Forgets a pair that no live job works on; its VMs and volumes stay. */
    PairRecord delete(String name, Actor actor);
}
