package dev.duplex.engine.inventory;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Where a VM's parts may be: its image and its volumes on the VM's own endpoint, and each volume
 * linked by one VM only (a database volume belongs to one member). Creating a VM and the
 * upgrade's preflight both ask here, each wording the refusal for its own command.
 */
public final class Placement {
    private final Inventory inventory;

    public Placement(Inventory inventory) {
        this.inventory = requireNonNull(inventory, "inventory is null");
    }

    /** Whether a VM on {@code endpoint} may use {@code image}. */
    public static boolean usable(ImageRecord image, String endpoint) {
        return image.endpoint().equals(endpoint);
    }

    /** Whether a VM on {@code endpoint} may link {@code volume}. */
    public static boolean usable(VolumeRecord volume, String endpoint) {
        return volume.endpoint().equals(endpoint);
    }

    /** The VMs that link {@code volume}, by name. */
    public List<String> linkers(String volume) {
        return inventory.vmsLinking(volume);
    }

    /** The VMs that use {@code image}, by name. */
    public List<String> usersOfImage(String image) {
        return inventory.vms().stream().filter(vm -> vm.image().equals(image)).map(VmRecord::name).toList();
    }

    /** The pair {@code vm} is a member of, if any. */
    public java.util.Optional<PairRecord> pairOf(String vm) {
        return inventory.pairs().stream().filter(p -> p.system0().equals(vm) || p.system1().equals(vm)).findFirst();
    }
}
