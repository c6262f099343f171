package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.VmRef;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.VmRecord;

/**
 * One side of a pair as the inventory records it.
 *
 * @param system 0 or 1
 * @param vm the VM's record
 */
public record PairMember(int system, VmRecord vm) {
    public PairMember {
        requireNonNull(vm, "vm is null");
    }

    /** The driver's handle on the VM. */
    public VmRef ref() {
        return new VmRef(vm.driverRef(), vm.name());
    }

    public String name() {
        return vm.name();
    }

    public String endpoint() {
        return vm.endpoint();
    }

    /** The pair of that name. */
    static PairRecord pair(Inventory inventory, String pairName) {
        requireNonNull(pairName, "pairName is null");
        return inventory.pair(pairName).orElseThrow(() -> new NotInInventoryException("pair", pairName));
    }

    /** The member of {@code pair} on {@code system}. */
    static PairMember of(Inventory inventory, PairRecord pair, int system) {
        String name = pair.member(system);
        VmRecord vm = inventory.vm(name).orElseThrow(() -> new NotInInventoryException("VM", name));
        return new PairMember(system, vm);
    }
}
