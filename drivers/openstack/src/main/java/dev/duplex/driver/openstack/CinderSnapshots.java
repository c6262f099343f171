package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.ConflictException;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectName;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.types.ServiceType;
import org.openstack4j.core.transport.ObjectMapperSingleton;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.storage.block.Volume;
import org.openstack4j.model.storage.block.VolumeAttachment;
import org.openstack4j.openstack.internal.OSClientSession.OSClientSessionV3;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safety snapshots as Cinder snapshots: taken with {@code force} while the volume is still attached
 * to its stopped server (the engine snapshots before it deletes the old VM), found again by the
 * volume and the {@value #MARK} metadata key holding the engine's name, and restored with Cinder's
 * revert-to-snapshot (volume API 3.40), which openstack4j 3.12 lacks: one request of our own with
 * the session's token to the catalog's block-storage URL.
 *
 * <p>Cinder's rules a restore meets: the volume must be {@code available} (no server holds it,
 * running or stopped) and only its <em>latest</em> snapshot can be reverted to. An older one is
 * refused here, naming the later snapshot to delete, rather than by Cinder's 400. Cinder keeps
 * {@code created_at} to the second and calls the snapshot with the greatest one the latest, so a
 * snapshot taken within the same second as an earlier one of the volume is taken again a second
 * later: "latest" is then never a tie.
 */
final class CinderSnapshots {
    private static final Logger log = LoggerFactory.getLogger(CinderSnapshots.class);
    /** The metadata key that marks a snapshot as Duplex's, holding the engine's name for it. */
    static final String MARK = "duplex_snapshot";
    private static final String REVERT_VERSION = "volume 3.40";
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int RETAKES = 3;

    private final OpenstackSettings settings;
    private final Supplier<OSClientV3> os;
    private final Await await;
    private final OkHttpClient http;

    CinderSnapshots(OpenstackSettings settings, Supplier<OSClientV3> os, Await await) {
        this.settings = requireNonNull(settings, "settings is null");
        this.os = requireNonNull(os, "os is null");
        this.await = requireNonNull(await, "await is null");
        this.http = new OkHttpClient.Builder().connectTimeout(10, TimeUnit.SECONDS).readTimeout(60, TimeUnit.SECONDS).build();
    }

    private static ObjectId idOf(String name, VolumeRef volume) {
        return new ObjectId(ObjectKind.VOLUME_SNAPSHOT, name + " of volume " + volume);
    }

    /** A snapshot of the volume under the name, or the one taken under it before (a retry after a crash). */
    VolumeSnapshot take(VolumeRef volume, String name) {
        if (!ObjectName.isValid(name)) {
            throw new InvalidSpecException(ObjectName.problem("snapshot", name), idOf(VisibleText.escape(name), volume));
        }
        ObjectId object = idOf(name, volume);
        for (int attempt = 1; ; attempt++) {
            Volume found = volume(volume);
            Optional<org.openstack4j.model.storage.block.VolumeSnapshot> earlier = ours(volume).stream()
                    .filter(s -> name.equals(s.getMetaData().get(MARK))).findFirst();
            if (earlier.isPresent()) {
                org.openstack4j.model.storage.block.VolumeSnapshot seen = awaitSettled(earlier.get(), volume, name);
                if (seen.getStatus() == Volume.Status.AVAILABLE) {
                    return snapshotOf(seen, volume, name);
                }
                // Left in error by an earlier try: it can never be restored, so it makes way for a new one.
                delete(seen, object);
            }
            boolean force = refuseWriters(found, volume, name);
            long started = System.nanoTime();
            org.openstack4j.model.storage.block.VolumeSnapshot created = OpenstackFaults.calling("Taking", object,
                    () -> os.get().blockStorage().snapshots().create(Builders.volumeSnapshot().name(name).volume(volume.id())
                            .metadata(Map.of(MARK, name)).force(force).build()));  // no description: openstack4j sends it twice, Cinder v3 refuses the copy
            org.openstack4j.model.storage.block.VolumeSnapshot seen = awaitSettled(created, volume, name);
            if (seen.getStatus() != Volume.Status.AVAILABLE) {
                delete(seen, object);
                throw new PlatformException("Snapshot '" + name + "' (" + seen.getId() + ") of volume " + volume + " went to "
                        + statusOf(seen) + " and was deleted again; see Cinder's messages with 'openstack volume message list'",
                        object);
            }
            if (!tiesWithAnother(seen, volume) || attempt == RETAKES) {
                log.info("Snapshot {} of volume {} taken on {} in {} ms", name, volume, settings.endpoint(),
                        (System.nanoTime() - started) / 1_000_000);
                return snapshotOf(seen, volume, name);
            }
            // Same created_at second as another snapshot of the volume: Cinder could not tell which is latest.
            delete(seen, object);
            pause(Duration.ofSeconds(1));
        }
    }

    /** Duplex's snapshots of the volume, oldest first. */
    List<VolumeSnapshot> list(VolumeRef volume) {
        volume(volume);
        return ours(volume).stream().map(s -> snapshotOf(s, volume, s.getMetaData().get(MARK))).toList();
    }

    /** Reverts the volume to the snapshot, which must be its latest, with no server holding the volume. */
    void restore(VolumeSnapshot snapshot) {
        VolumeRef volume = snapshot.volume();
        ObjectId object = idOf(snapshot.name(), volume);
        org.openstack4j.model.storage.block.VolumeSnapshot found = find(snapshot)
                .orElseThrow(() -> new ObjectNotFoundException(object));
        Volume target = volume(volume);
        List<? extends VolumeAttachment> attachments = target.getAttachments();
        if (attachments != null && !attachments.isEmpty()) {
            String serverId = attachments.get(0).getServerId();
            Server server = OpenstackFaults.calling("Looking up the server of", ObjectId.of(volume),
                    () -> os.get().compute().servers().get(serverId));
            String holder = server == null ? serverId : "'" + server.getName() + "' (" + serverId + ", "
                    + OpenstackDriver.stateOf(server).name().toLowerCase(java.util.Locale.ROOT) + ")";
            throw new ConflictException("Restoring volume " + volume + " from snapshot '" + snapshot.name() + "' refused: VM " + holder
                    + " holds the volume, and Cinder reverts only a volume no server holds; delete that VM (a rollback deletes"
                    + " the new VM first) or detach the volume, then restore", object);
        }
        if (target.getStatus() != Volume.Status.AVAILABLE) {
            throw new ConflictException("Restoring volume " + volume + " from snapshot '" + snapshot.name() + "' refused: the volume is "
                    + target.getStatus().value() + ", not available; wait until it is, then restore", object);
        }
        List<org.openstack4j.model.storage.block.VolumeSnapshot> all = all(volume);
        org.openstack4j.model.storage.block.VolumeSnapshot latest = all.get(all.size() - 1);
        if (!latest.getId().equals(found.getId())) {
            throw new ConflictException("Restoring volume " + volume + " from snapshot '" + snapshot.name() + "' refused: Cinder reverts"
                    + " a volume only to its latest snapshot, which is '" + nameOf(latest) + "' (" + latest.getId() + ", taken "
                    + createdAt(latest) + "); delete the later snapshots ('openstack volume snapshot delete " + latest.getId()
                    + "') if their data may go, then restore again", object);
        }
        if (found.getStatus() != Volume.Status.AVAILABLE) {
            throw new ConflictException("Restoring volume " + volume + " from snapshot '" + snapshot.name() + "' refused: the snapshot is "
                    + statusOf(found) + ", not available", object);
        }
        long started = System.nanoTime();
        String request = revert(volume, found.getId(), object);
        // Cinder marks the volume reverting (and the snapshot restoring) before it answers 202.
        Volume after = await.until(() -> volume(volume),
                v -> v.getStatus() == Volume.Status.AVAILABLE || v.getStatus() == Volume.Status.ERROR, object,
                v -> "Volume " + volume + " is " + v.getStatus().value() + ", still reverting to snapshot '" + snapshot.name()
                        + "' (request " + request + ")");
        if (after.getStatus() != Volume.Status.AVAILABLE) {
            throw new PlatformException("Reverting volume " + volume + " to snapshot '" + snapshot.name() + "' failed: Cinder put the"
                    + " volume in error (request " + request + "); see 'openstack volume message list' and ask the cloud's operator",
                    object);
        }
        await.until(() -> get(found.getId(), object), s -> s == null || s.getStatus() == Volume.Status.AVAILABLE, object,
                s -> "Snapshot '" + snapshot.name() + "' of volume " + volume + " is " + statusOf(s) + " after its revert");
        log.info("Volume {} reverted to snapshot {} on {} in {} ms (request {})", volume, snapshot.name(), settings.endpoint(),
                (System.nanoTime() - started) / 1_000_000, request);
    }

    /** Deletes the snapshot; one that is gone, or is not what the record says (another volume, another name), is left alone. */
    void delete(VolumeSnapshot snapshot) {
        Optional<org.openstack4j.model.storage.block.VolumeSnapshot> found = find(snapshot);
        if (found.isPresent()) {
            delete(found.get(), idOf(snapshot.name(), snapshot.volume()));
        }
    }

    /** Cinder deletes no volume that has snapshots: refused up front, naming them, rather than by Cinder's 400. */
    void refuseDeletingWithSnapshots(VolumeRef volume) {
        List<org.openstack4j.model.storage.block.VolumeSnapshot> all = all(volume);
        if (!all.isEmpty()) {
            throw new ConflictException("Volume " + volume + " has " + all.size() + " snapshot(s) (" + String.join(", ",
                    all.stream().map(s -> "'" + nameOf(s) + "' " + s.getId()).toList()) + ") and Cinder deletes no volume with"
                    + " snapshots; drop them first (an upgrade's safety snapshots go after their retention, or with"
                    + " 'openstack volume snapshot delete ID')", ObjectId.of(volume));
        }
    }

    /** Frees the HTTP client's threads and connections. */
    void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ---- Cinder

    /** The snapshot the record names, if it is Duplex's snapshot of that volume under that name (a forged record finds nothing). */
    private Optional<org.openstack4j.model.storage.block.VolumeSnapshot> find(VolumeSnapshot snapshot) {
        ObjectId object = idOf(snapshot.name(), snapshot.volume());
        org.openstack4j.model.storage.block.VolumeSnapshot found = get(snapshot.id(), object);
        if (found == null || !snapshot.volume().id().equals(found.getVolumeId())
                || !snapshot.name().equals(metadataOf(found).get(MARK)) || found.getStatus() == Volume.Status.DELETING) {
            return Optional.empty();
        }
        return Optional.of(found);
    }

    private org.openstack4j.model.storage.block.VolumeSnapshot get(String id, ObjectId object) {
        // Cinder answers 404 to an id that is not a UUID too: a made-up id is simply not found.
        return OpenstackFaults.calling("Looking up", object, () -> os.get().blockStorage().snapshots().get(id));
    }

    /** Every snapshot of the volume not being deleted, anyone's, oldest first (Cinder's order for "latest"). */
    private List<org.openstack4j.model.storage.block.VolumeSnapshot> all(VolumeRef volume) {
        List<? extends org.openstack4j.model.storage.block.VolumeSnapshot> listed = OpenstackFaults.calling("Listing the snapshots of",
                ObjectId.of(volume), () -> os.get().blockStorage().snapshots().list(Map.of("volume_id", volume.id())));
        return listed.stream().filter(s -> volume.id().equals(s.getVolumeId()))
                .filter(s -> s.getStatus() != Volume.Status.DELETING && s.getStatus() != Volume.Status.ERROR_DELETING)
                .sorted(Comparator.comparing(CinderSnapshots::createdAt).thenComparing(s -> s.getId()))
                .map(s -> (org.openstack4j.model.storage.block.VolumeSnapshot) s).toList();
    }

    private List<org.openstack4j.model.storage.block.VolumeSnapshot> ours(VolumeRef volume) {
        return all(volume).stream().filter(s -> ObjectName.isValid(metadataOf(s).get(MARK))).toList();
    }

    private boolean tiesWithAnother(org.openstack4j.model.storage.block.VolumeSnapshot taken, VolumeRef volume) {
        return all(volume).stream().anyMatch(s -> !s.getId().equals(taken.getId()) && createdAt(s).equals(createdAt(taken)));
    }

    private Volume volume(VolumeRef volume) {
        Volume found = OpenstackFaults.calling("Looking up", ObjectId.of(volume), () -> os.get().blockStorage().volumes().get(volume.id()));
        if (found == null) {
            throw new ObjectNotFoundException(ObjectId.of(volume));
        }
        return found;
    }

    /**
     * A snapshot holds what the volume held when no one wrote to it: refused while a running server
     * holds the volume. A stopped server's volume is {@code in-use} all the same, which Cinder
     * snapshots only with {@code force}: returns whether it needs it.
     */
    private boolean refuseWriters(Volume found, VolumeRef volume, String name) {
        List<? extends VolumeAttachment> attachments = found.getAttachments();
        for (VolumeAttachment attachment : attachments == null ? List.<VolumeAttachment>of() : attachments) {
            Server server = OpenstackFaults.calling("Looking up the server of", ObjectId.of(volume),
                    () -> os.get().compute().servers().get(attachment.getServerId()));
            if (server != null && OpenstackDriver.stateOf(server) != VmState.STOPPED && OpenstackDriver.stateOf(server) != VmState.CRASHED) {
                throw new ConflictException("Snapshot '" + name + "' of volume " + volume + " refused: VM '" + server.getName() + "' ("
                        + server.getId() + ") is " + OpenstackDriver.stateOf(server) + " and may be writing to it; stop that VM first",
                        idOf(name, volume));
            }
        }
        if (found.getStatus() != Volume.Status.AVAILABLE && found.getStatus() != Volume.Status.IN_USE) {
            throw new ConflictException("Snapshot '" + name + "' of volume " + volume + " refused: the volume is " + found.getStatus().value()
                    + ", not available or in-use; wait until it is", idOf(name, volume));
        }
        return found.getStatus() == Volume.Status.IN_USE;
    }

    /** Waits while the snapshot is being made; returns it available or failed. */
    private org.openstack4j.model.storage.block.VolumeSnapshot awaitSettled(org.openstack4j.model.storage.block.VolumeSnapshot snapshot,
            VolumeRef volume, String name) {
        ObjectId object = idOf(name, volume);
        return await.until(() -> {
            org.openstack4j.model.storage.block.VolumeSnapshot seen = get(snapshot.getId(), object);
            if (seen == null) {
                throw new PlatformException("Snapshot '" + name + "' (" + snapshot.getId() + ") of volume " + volume
                        + " vanished while Cinder made it; someone deleted it: take it again", object);
            }
            return seen;
        }, s -> s.getStatus() == Volume.Status.AVAILABLE || s.getStatus() == Volume.Status.ERROR, object,
                s -> "Snapshot '" + name + "' (" + s.getId() + ") of volume " + volume + " is " + statusOf(s) + ", not available");
    }

    private void delete(org.openstack4j.model.storage.block.VolumeSnapshot snapshot, ObjectId object) {
        OpenstackFaults.calling("Deleting", object, () -> {
            OpenstackFaults.check(os.get().blockStorage().snapshots().delete(snapshot.getId()), "Deleting", object);
            return null;
        });
        await.until(() -> get(snapshot.getId(), object), s -> s == null, object,
                s -> "Snapshot " + snapshot.getId() + " is still " + statusOf(s) + ", not deleted");
    }

    /**
     * Cinder's revert-to-snapshot, {@code POST /volumes/{id}/action} with {@code {"revert": ...}}
     * at volume microversion 3.40, with the session's token. Returns Cinder's request id.
     */
    private String revert(VolumeRef volume, String snapshotId, ObjectId object) {
        OSClientV3 client = os.get();
        String base = ((OSClientSessionV3) client).getEndpoint(ServiceType.BLOCK_STORAGE);
        if (base == null) {
            throw new PlatformException("Reverting volume " + volume + " failed: the catalog of " + settings.describe()
                    + " has no block-storage (volumev3) endpoint", object);
        }
        String url = base.replaceAll("/+$", "") + "/volumes/" + volume.id() + "/action";
        byte[] body;
        try {
            body = ObjectMapperSingleton.getContext(Map.class).writeValueAsBytes(Map.of("revert", Map.of("snapshot_id", snapshotId)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a revert request", e);
        }
        Request request = new Request.Builder().url(url).header("X-Auth-Token", client.getToken().getId())
                .header("OpenStack-API-Version", REVERT_VERSION).post(RequestBody.create(JSON, body)).build();
        try (Response response = http.newCall(request).execute()) {
            Optional<String> requestId = Optional.ofNullable(response.header("X-Openstack-Request-Id"));
            if (!response.isSuccessful()) {
                ResponseBody answer = response.body();
                String fault = "";
                try {
                    // Cinder's error body: {"badRequest": {"code": 400, "message": "..."}}
                    var tree = ObjectMapperSingleton.getContext(Map.class).readTree(answer == null ? "" : answer.string());
                    fault = tree.elements().hasNext() ? tree.elements().next().path("message").asText("") : "";
                } catch (IOException e) {
                    // not Cinder's JSON error: the status says enough
                }
                throw OpenstackFaults.byStatus(response.code(), OpenstackFaults.oneLine(fault), requestId,
                        "Reverting volume " + volume + " to snapshot " + snapshotId + " (Cinder's revert, " + REVERT_VERSION + "):", object, null);
            }
            return requestId.orElse("(no request id)");
        } catch (IOException e) {
            throw OpenstackFaults.translate(new ConnectionException(e.getMessage(), 0, e), "Reverting volume " + volume + " to", object);
        }
    }

    // ---- values

    private static VolumeSnapshot snapshotOf(org.openstack4j.model.storage.block.VolumeSnapshot snapshot, VolumeRef volume, String name) {
        return new VolumeSnapshot(snapshot.getId(), volume, name, createdAt(snapshot));
    }

    private static Instant createdAt(org.openstack4j.model.storage.block.VolumeSnapshot snapshot) {
        return snapshot.getCreated() == null ? Instant.EPOCH : snapshot.getCreated().toInstant();
    }

    private static Map<String, String> metadataOf(org.openstack4j.model.storage.block.VolumeSnapshot snapshot) {
        return snapshot.getMetaData() == null ? Map.of() : snapshot.getMetaData();
    }

    private static String nameOf(org.openstack4j.model.storage.block.VolumeSnapshot snapshot) {
        return Optional.ofNullable(metadataOf(snapshot).get(MARK)).or(() -> Optional.ofNullable(snapshot.getName())).orElse(snapshot.getId());
    }

    private static String statusOf(org.openstack4j.model.storage.block.VolumeSnapshot snapshot) {
        return snapshot.getStatus() == null ? "unknown" : snapshot.getStatus().value();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("Interrupted while taking a snapshot", null);
        }
    }
}
