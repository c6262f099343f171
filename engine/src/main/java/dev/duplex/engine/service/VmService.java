package dev.duplex.engine.service;

import dev.duplex.api.BootReport;
import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.VmRecord;
import java.util.List;

/**
 * Virtual machines: an image plus links to external volumes. One interface for both transports
 * ({@link EngineVmService} in this process, or over HTTP).
 */
public interface VmService {
    /** Creates a VM, stopped. */
    VmRecord create(CreateVm request, Actor actor);

    /** Every VM with its state as its platform reports it now. */
    List<VmStatus> list();

    VmStatus show(String name);

    /** Starts a VM; past a live job only with {@code force}, audited. */
    BootReport start(String name, boolean force, Actor actor);

    /** Stops a VM: graceful, or at once with {@code force}, which also goes past a live job (audited). */
    void stop(String name, boolean force, Actor actor);

    /** Deletes a stopped VM that is in no pair and no live job; its volumes stay. */
    VmRecord delete(String name, Actor actor);
}
