package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Nova server's operating-environment items, in its metadata (layout and atomicity in
 * {@link ServerMetadataEnvironment}). Configuration-like items fit; the firmware settings item
 * ({@code settings}) does not: a cloud's user cannot read or write a server's UEFI variables or
 * BIOS settings, so it is refused with the standard unsupported error.
 *
 * <p>A write costs three kinds of Nova call: one metadata update with the new generation's keys,
 * one that switches the header to it (the commit), then one delete per key of the old
 * generation. Concurrent writers of the same server are not fenced against each other (Nova has
 * no compare-and-set on metadata); the engine writes a pair's environment under the pair's lock.
 */
final class ServerMetadataEnvironmentStore implements EnvironmentStore {
    private static final Logger log = LoggerFactory.getLogger(ServerMetadataEnvironmentStore.class);
    /** The firmware settings item, which a Nova server cannot hold. */
    static final String FIRMWARE_SETTINGS = "settings";

    private final ServerMetadata server;
    private final VmRef vm;
    private final String kind;

    ServerMetadataEnvironmentStore(ServerMetadata server, VmRef vm, String kind) {
        this.server = requireNonNull(server, "server is null");
        this.vm = requireNonNull(vm, "vm is null");
        this.kind = requireNonNull(kind, "kind is null");
    }

    /** The calls to Nova the store needs, so the layout's rules are tested apart from the cloud. */
    interface ServerMetadata {
        /** The server's whole metadata, in one request (so it is one consistent view); not found when the server is gone. */
        Map<String, String> read(VmRef vm);

        /** Adds or overwrites these keys, others untouched. */
        void merge(VmRef vm, Map<String, String> keys);

        void delete(VmRef vm, String key);

        /** The most metadata items one server may have in this project (Nova's {@code metadata_items} quota). */
        int maxItems();
    }

    @Override
    public EnvironmentSnapshot read() {
        return ServerMetadataEnvironment.read(server.read(vm), vm);
    }

    @Override
    public void write(EnvironmentUpdate update) {
        for (ItemChange change : update.changes()) {
            if (change.item().equals(FIRMWARE_SETTINGS)) {
                throw new UnsupportedOperationDriverException(kind, "firmware settings");
            }
        }
        Map<String, String> metadata = new HashMap<>(server.read(vm));
        EnvironmentSnapshot current = ServerMetadataEnvironment.read(metadata, vm);
        List<EnvironmentItem> items = ServerMetadataEnvironment.apply(current, update, vm);
        String oldGeneration = ServerMetadataEnvironment.currentGeneration(metadata);

        // Leftovers of a write that was cut off take room the new generation may need: they go first.
        for (String key : ServerMetadataEnvironment.otherGenerations(metadata, oldGeneration)) {
            server.delete(vm, key);
            metadata.remove(key);
        }
        String generation = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> keys = ServerMetadataEnvironment.layout(update.newRevision(), generation, items, vm);
        int inUse = metadata.size() - (metadata.containsKey(ServerMetadataEnvironment.HEADER) ? 1 : 0);
        int needed = inUse + keys.size();
        int quota = server.maxItems();
        if (needed > quota) {
            throw new InvalidSpecException("The environment of VM " + vm + " (" + items.stream().mapToLong(EnvironmentItem::size).sum()
                    + " bytes in " + items.size() + " items) needs " + (keys.size() - 1) + " server metadata items beside the "
                    + inUse + " in use, but the project allows " + quota + " per server (Nova's metadata_items quota); make the"
                    + " items smaller (about " + ServerMetadataEnvironment.CHUNK_BYTES + " bytes per item) or ask for a larger quota",
                    ObjectId.of(vm));
        }
        Map<String, String> body = new HashMap<>(keys);
        String header = body.remove(ServerMetadataEnvironment.HEADER);
        if (!body.isEmpty()) {
            server.merge(vm, body);
        }
        // The commit: readers see the new generation from this one key on.
        server.merge(vm, Map.of(ServerMetadataEnvironment.HEADER, header));
        Set<String> old = ServerMetadataEnvironment.otherGenerations(metadata, generation);
        try {
            for (String key : old) {
                server.delete(vm, key);
            }
        } catch (RuntimeException e) {
            // The write is done; what is left is ignored by readers and removed by the next write.
            log.warn("Environment of VM {} written at revision {}; removing the previous generation's keys failed: {}", vm,
                    update.newRevision(), e.getMessage());
        }
    }
}
