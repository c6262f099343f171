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
import java.util.UUID;

/**
 * A Nova server's operating-environment items, in its metadata (layout in
 * {@link ServerMetadataEnvironment}). Configuration-like items fit; the firmware settings item
 * ({@code settings}) does not: a cloud's user cannot read or write a server's UEFI variables or
 * BIOS settings, so it is refused with the standard unsupported error.
 *
 * <p>A write is one Nova request: {@code PUT /servers/{id}/metadata}, which replaces the server's
 * whole metadata in one database transaction, with the keys it had (links, image name) and the
 * environment's new generation in place of the old. A reader (one {@code GET}) sees the old
 * metadata or the new, never a mix. Nova has no compare-and-set on metadata, so two writers of
 * the same server are not fenced against each other: the revision is checked on read, and the
 * engine writes a pair's environment under the pair's lock.
 */
final class ServerMetadataEnvironmentStore implements EnvironmentStore {
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

        /** Replaces the server's whole metadata with {@code metadata}, in one request. */
        void replace(VmRef vm, Map<String, String> metadata);

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
        Map<String, String> metadata = server.read(vm);
        EnvironmentSnapshot current = ServerMetadataEnvironment.read(metadata, vm);
        List<EnvironmentItem> items = ServerMetadataEnvironment.apply(current, update, vm);
        String generation = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> keys = ServerMetadataEnvironment.layout(update.newRevision(), generation, items, vm);
        Map<String, String> next = new HashMap<>(metadata);
        next.keySet().removeAll(ServerMetadataEnvironment.environmentKeys(metadata).keySet());
        int others = next.size();
        next.putAll(keys);
        int quota = server.maxItems();
        if (next.size() > quota) {
            throw new InvalidSpecException("The environment of VM " + vm + " (" + items.stream().mapToLong(EnvironmentItem::size).sum()
                    + " bytes in " + items.size() + " items) needs " + keys.size() + " server metadata items beside the "
                    + others + " in use, but the project allows " + quota + " per server (Nova's metadata_items quota); make the"
                    + " items smaller (" + ServerMetadataEnvironment.CHUNK_BYTES + " bytes per item) or ask for a larger quota",
                    ObjectId.of(vm));
        }
        server.replace(vm, next);
    }
}
