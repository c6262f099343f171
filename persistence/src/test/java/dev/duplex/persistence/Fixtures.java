package dev.duplex.persistence;

import dev.duplex.api.VolumeLink;
import dev.duplex.engine.inventory.Endpoint;
import dev.duplex.engine.inventory.ImageRecord;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.LinkRecord;
import dev.duplex.engine.inventory.PairRecord;
import dev.duplex.engine.inventory.StandbyKind;
import dev.duplex.engine.inventory.VmRecord;
import dev.duplex.engine.inventory.VolumeRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small inventories for tests. */
final class Fixtures {
    private Fixtures() {}

    static Endpoint endpoint(String name) {
        return new Endpoint(name, "local", "local:///var/lib/duplex/" + name, Optional.of("/etc/duplex/" + name + ".secret"),
                Map.of("pool", "default"));
    }

    static ImageRecord image(String name, String endpoint) {
        return new ImageRecord(name, endpoint, "1.0." + name.length(), "img-" + name);
    }

    static VolumeRecord volume(String name, String endpoint) {
        return new VolumeRecord(name, endpoint, "vol-" + name, 1L << 30, "database");
    }

    static VmRecord vm(String name, String endpoint, String image, String... volumes) {
        List<LinkRecord> links = new java.util.ArrayList<>();
        for (int i = 0; i < volumes.length; i++) {
            links.add(new LinkRecord(volumes[i], "/data/" + i, VolumeLink.Mode.MOUNT_AT_BOOT));
        }
        return new VmRecord(name, endpoint, "vm-" + name, image, links, Map.of("memory-mb", "512"));
    }

    static PairRecord pair(String name, String system0, String system1) {
        return new PairRecord(name, system0, system1, 0, StandbyKind.HOT, Map.of("type", "exec", "promote", "/bin/true"),
                Map.of("timeout-ms", "5000", "poll-ms", "100"));
    }

    /** Adds endpoint, image and two VMs with a volume each, and pairs them as {@code name}. */
    static PairRecord addPair(Inventory inventory, String name) {
        String endpoint = "ep-" + name;
        inventory.addEndpoint(endpoint(endpoint));
        inventory.addImage(image("img-" + name, endpoint));
        inventory.addVolume(volume(name + "-vol0", endpoint));
        inventory.addVolume(volume(name + "-vol1", endpoint));
        inventory.addVm(vm(name + "-0", endpoint, "img-" + name, name + "-vol0"));
        inventory.addVm(vm(name + "-1", endpoint, "img-" + name, name + "-vol1"));
        PairRecord pair = pair(name, name + "-0", name + "-1");
        inventory.addPair(pair);
        return pair;
    }
}
