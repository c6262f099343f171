package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.VmRecord;
import java.util.Optional;

/**
 * A VM as the inventory records it and as its platform reports it now.
 *
 * @param vm the record
 * @param state the power state the platform reports ({@code RUNNING}, ...), or {@code UNKNOWN (why)}
 *     when the platform could not be asked
 * @param pair the pair it is a member of, if any
 */
public record VmStatus(VmRecord vm, String state, Optional<String> pair) {
    public VmStatus {
        requireNonNull(vm, "vm is null");
        requireNonNull(state, "state is null");
        requireNonNull(pair, "pair is null");
    }
}
