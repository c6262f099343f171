package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.VolumeRecord;
import java.time.Instant;
import java.util.Optional;

/**
 * A volume with what uses it.
 *
 * @param volume the volume
 * @param linkedBy the VM that links it now, if any
 * @param firstLinked when a VM first linked it: from then on it may hold data
 */
public record VolumeView(VolumeRecord volume, Optional<String> linkedBy, Optional<Instant> firstLinked) {
    public VolumeView {
        requireNonNull(volume, "volume is null");
        requireNonNull(linkedBy, "linkedBy is null");
        requireNonNull(firstLinked, "firstLinked is null");
    }

    /** Whether it may hold data: a VM has linked it since it was created empty. */
    public boolean mayHoldData() {
        return firstLinked.isPresent();
    }
}
