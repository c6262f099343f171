package dev.duplex.engine.service;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.inventory.VolumeRecord;
import java.util.List;

/**
 * Volumes that live outside VM images, such as a member's database volume. One interface for
 * both transports ({@link EngineVolumeService} in this process, or over HTTP).
 */
public interface VolumeService {
    VolumeRecord create(CreateVolume request, Actor actor);

    List<VolumeRecord> list();

    VolumeView show(String name);

    /** Deletes a volume no VM links; one that may hold data only with {@code force} (audited). */
    VolumeView delete(String name, boolean force, Actor actor);
}
