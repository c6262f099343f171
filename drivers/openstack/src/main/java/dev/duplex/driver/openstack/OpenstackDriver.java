package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.ConflictException;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.DriverException;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.StopMode;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmStartFailedException;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeCopy;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.api.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.compute.ServerService;
import org.openstack4j.model.common.Payloads;
import org.openstack4j.model.compute.Action;
import org.openstack4j.model.compute.BDMDestType;
import org.openstack4j.model.compute.BDMSourceType;
import org.openstack4j.model.compute.Flavor;
import org.openstack4j.model.compute.InstanceAction;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.compute.ServerCreate;
import org.openstack4j.model.compute.builder.ServerCreateBuilder;
import org.openstack4j.model.image.v2.ContainerFormat;
import org.openstack4j.model.image.v2.DiskFormat;
import org.openstack4j.model.image.v2.Image;
import org.openstack4j.model.storage.block.Volume;
import org.openstack4j.model.storage.block.VolumeAttachment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenStack project as a Duplex endpoint. An image is a Glance image carrying its software
 * version as a property; a volume is a Cinder volume; a VM is a Nova server. A link is the
 * volume in the server's block-device mapping at boot (so the server has it from its first
 * instant, with no window without its database), recorded with its mount path in the server's
 * metadata, which is all the state the driver keeps.
 */
final class OpenstackDriver implements HypervisorDriver {
    private static final Logger log = LoggerFactory.getLogger(OpenstackDriver.class);
    static final String SOFTWARE_VERSION = "duplex_software_version";
    static final String IMAGE_NAME = "duplex_image_name";
    static final String LINK_PREFIX = "duplex_link_";
    static final String PURPOSE = "duplex_purpose";
    /** Nova's limit on a metadata value. */
    static final int METADATA_VALUE_MAX = 255;
    private static final long GIB = 1L << 30;
    private static final Duration CLEANUP_AT_LEAST = Duration.ofSeconds(60);
    private static final Set<String> IMAGE_PROPERTIES = Set.of("disk-format", "container-format");
    private static final Set<String> VM_PROPERTIES = Set.of("flavor");

    private final OpenstackSettings settings;
    private final CloudSession session;
    private final Await await;
    /** Undoing a half-built server gets at least a minute, even when the endpoint's deadline is shorter. */
    private final Await cleanup;
    private final CinderSnapshots snapshots;

    OpenstackDriver(OpenstackSettings settings, CloudSession session) {
        this.settings = requireNonNull(settings, "settings is null");
        this.session = requireNonNull(session, "session is null");
        this.await = new Await(settings.pollInterval(), settings.stateTimeout());
        this.cleanup = new Await(settings.pollInterval(), settings.stateTimeout().compareTo(CLEANUP_AT_LEAST) < 0
                ? CLEANUP_AT_LEAST : settings.stateTimeout());
        this.snapshots = new CinderSnapshots(settings, session::client, await);
    }

    @Override
    public String kind() {
        return OpenstackDriverProvider.KIND;
    }

    @Override
    public Capabilities capabilities() {
        return OpenstackDriverProvider.CAPABILITIES;
    }

    /** Runs one call to OpenStack, translating its failure in the one place that does it. */
    private <T> T call(String action, ObjectId object, Supplier<T> work) {
        return OpenstackFaults.calling(action, object, work);
    }

    private OSClientV3 os() {
        return session.client();
    }

    // ---- images

    @Override
    public ImageRef registerImage(ImageSpec spec) {
        ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.IMAGE, spec.name());
        refuseUnknown(spec.properties(), IMAGE_PROPERTIES, "image '" + spec.name() + "'", object);
        Path file = Path.of(spec.source());
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidSpecException("Image '" + spec.name() + "' source " + spec.source()
                    + " is not a readable file; give the image file to upload to Glance", object);
        }
        DiskFormat disk = DiskFormat.value(spec.properties().getOrDefault("disk-format", "raw"));
        ContainerFormat container = ContainerFormat.value(spec.properties().getOrDefault("container-format", "bare"));
        Image created = call("Registering", object, () -> os().imagesV2().create(Builders.imageV2().name(spec.name())
                .diskFormat(disk).containerFormat(container).additionalProperty(SOFTWARE_VERSION, spec.softwareVersion()).build()));
        ImageRef image = new ImageRef(created.getId(), spec.name());
        try {
            call("Uploading", ObjectId.of(image), () -> {
                OpenstackFaults.check(os().imagesV2().upload(created.getId(), Payloads.create(file.toFile()), created),
                        "Uploading", ObjectId.of(image));
                return null;
            });
        } catch (RuntimeException e) {
            call("Deleting half-registered", ObjectId.of(image), () -> os().imagesV2().delete(created.getId()));
            throw e;
        }
        log.info("Registered image {} ({}) on {}", image, spec.softwareVersion(), settings.endpoint());
        return image;
    }

    @Override
    public List<ImageInfo> listImages() {
        ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.ENDPOINT, settings.endpoint());
        List<ImageInfo> images = new ArrayList<>();
        for (Image image : call("Listing images of", object, () -> os().imagesV2().list())) {
            String version = image.getAdditionalPropertyValue(SOFTWARE_VERSION);
            if (version != null) {
                images.add(new ImageInfo(new ImageRef(image.getId(), image.getName()), version));
            }
        }
        return images;
    }

    @Override
    public void deleteImage(ImageRef image) {
        ObjectId object = ObjectId.of(image);
        if (call("Looking up", object, () -> os().imagesV2().get(image.id())) == null) {
            throw new ObjectNotFoundException(object);
        }
        List<? extends Server> users = call("Listing the servers of", object,
                () -> os().compute().servers().list(Map.of("image", image.id()))).stream()
                .filter(s -> s.getStatus() != Server.Status.DELETED && !"deleting".equals(s.getTaskState())).toList();
        if (!users.isEmpty()) {
            throw new ConflictException("Image " + image + " is used by VM '" + users.get(0).getName() + "' ("
                    + users.get(0).getId() + "); delete the VM first", object);
        }
        call("Deleting", object, () -> {
            OpenstackFaults.check(os().imagesV2().delete(image.id()), "Deleting", object);
            return null;
        });
    }

    // ---- volumes

    @Override
    public VolumeRef createVolume(VolumeSpec spec) {
        ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.VOLUME, spec.name());
        refuseUnknown(spec.properties(), Set.of(), "volume '" + spec.name() + "'", object);
        int gib = (int) Math.max(1, (spec.sizeBytes() + GIB - 1) / GIB);
        Volume created = call("Creating", object, () -> os().blockStorage().volumes().create(Builders.volume()
                .name(spec.name()).size(gib).metadata(Map.of(PURPOSE, spec.purpose())).build()));
        VolumeRef volume = new VolumeRef(created.getId(), spec.name());
        awaitVolume(volume, Volume.Status.AVAILABLE);
        log.info("Created volume {} of {} GiB on {}", volume, gib, settings.endpoint());
        return volume;
    }

    @Override
    public List<VolumeInfo> listVolumes() {
        ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.ENDPOINT, settings.endpoint());
        List<VolumeInfo> volumes = new ArrayList<>();
        for (Volume volume : call("Listing volumes of", object, () -> os().blockStorage().volumes().list())) {
            if (volume.getStatus() == Volume.Status.DELETING) {
                continue;
            }
            Map<String, String> metadata = volume.getMetaData() == null ? Map.of() : volume.getMetaData();
            volumes.add(new VolumeInfo(new VolumeRef(volume.getId(), nameOf(volume)), volume.getSize() * GIB,
                    metadata.getOrDefault(PURPOSE, "")));
        }
        return volumes;
    }

    @Override
    public void deleteVolume(VolumeRef volume) {
        ObjectId object = ObjectId.of(volume);
        Volume found = volume(volume);
        refuseInUse(found, volume, "delete it");
        snapshots.refuseDeletingWithSnapshots(volume);
        call("Deleting", object, () -> {
            OpenstackFaults.check(os().blockStorage().volumes().delete(volume.id()), "Deleting", object);
            return null;
        });
        await.until(() -> call("Looking up", object, () -> os().blockStorage().volumes().get(volume.id())),
                v -> v == null, object, v -> "Volume " + volume + " is still " + v.getStatus() + ", not deleted");
    }

    /**
     * A Cinder clone ({@code source_volid}): the copy is made on the storage side and gets an id of
     * its own, awaited until {@code available} with the driver's poll interval and deadline. Cinder
     * does not say how many bytes it copied, so the copy reports 0. A clone that ends in error or
     * misses the deadline is deleted again (Cinder refuses to delete one still creating: that
     * refusal is kept beside the first failure).
     */
    @Override
    public VolumeCopy cloneVolume(VolumeRef from, VolumeSpec spec, CopyProgress progress) {
        ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.VOLUME, spec.name());
        refuseUnknown(spec.properties(), Set.of(), "volume '" + spec.name() + "'", object);
        Volume source = volume(from);
        // Cinder refuses a clone smaller than its source.
        int gib = (int) Math.max(source.getSize(), Math.max(1, (spec.sizeBytes() + GIB - 1) / GIB));
        long started = System.nanoTime();
        Volume created = call("Cloning volume " + from + " into", object, () -> os().blockStorage().volumes().create(Builders.volume()
                .name(spec.name()).size(gib).source_volid(source.getId()).metadata(Map.of(PURPOSE, spec.purpose())).build()));
        VolumeRef clone = new VolumeRef(created.getId(), spec.name());
        try {
            // Each look is reported as progress, so the engine's job keeps its heartbeat during a long clone.
            Volume seen = await.until(() -> {
                progress.update(0, -1);
                return volume(clone);
            }, v -> v.getStatus() == Volume.Status.AVAILABLE || isFailed(v), ObjectId.of(clone),
                    v -> "Clone " + clone + " of volume " + from + " is " + v.getStatus().value() + ", not available");
            if (seen.getStatus() != Volume.Status.AVAILABLE) {
                throw new PlatformException("Clone " + clone + " of volume " + from + " went to " + seen.getStatus().value()
                        + "; see its messages with 'openstack volume message list'", ObjectId.of(clone));
            }
        } catch (RuntimeException e) {
            try {
                call("Deleting the failed clone", ObjectId.of(clone), () -> {
                    OpenstackFaults.check(os().blockStorage().volumes().delete(clone.id()), "Deleting the failed clone", ObjectId.of(clone));
                    return null;
                });
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        log.info("Cloned volume {} into {} ({} GiB) on {} in {} ms", from, clone, gib, settings.endpoint(),
                (System.nanoTime() - started) / 1_000_000);
        return new VolumeCopy(clone, 0);
    }

    /**
     * Not supported: filling an existing volume. A Cinder clone makes a new volume with an id of its
     * own ({@link #cloneVolume}); filling the volume {@code to} in place would need Cinder's
     * upload-to-image and re-image (volume API 3.68), a full copy through Glance that the fake volume
     * driver of the test cloud cannot prove. The engine copies with {@code cloneVolume}.
     */
    @Override
    public long copyVolume(VolumeRef from, VolumeRef to, CopyProgress progress) {
        throw new UnsupportedOperationDriverException(kind(), "copying into an existing volume (it clones into a new one)");
    }

    // ---- safety snapshots (Cinder snapshots; see CinderSnapshots)

    @Override
    public VolumeSnapshot snapshotVolume(VolumeRef volume, String name) {
        return snapshots.take(volume, name);
    }

    @Override
    public List<VolumeSnapshot> listSnapshots(VolumeRef volume) {
        return snapshots.list(volume);
    }

    /** Cinder's revert: only to the volume's latest snapshot, with no server holding the volume (else refused, one line). */
    @Override
    public void restoreSnapshot(VolumeSnapshot snapshot) {
        snapshots.restore(snapshot);
    }

    @Override
    public void deleteSnapshot(VolumeSnapshot snapshot) {
        snapshots.delete(snapshot);
    }

    private Volume volume(VolumeRef volume) {
        Volume found = call("Looking up", ObjectId.of(volume), () -> os().blockStorage().volumes().get(volume.id()));
        if (found == null) {
            throw new ObjectNotFoundException(ObjectId.of(volume));
        }
        return found;
    }

    /** Refuses a volume attached to a server, naming the server: Cinder would only say "in-use". */
    private void refuseInUse(Volume found, VolumeRef volume, String toDo) {
        List<? extends VolumeAttachment> attachments = found.getAttachments();
        if (attachments != null && !attachments.isEmpty()) {
            String serverId = attachments.get(0).getServerId();
            Server server = call("Looking up the server of", ObjectId.of(volume), () -> os().compute().servers().get(serverId));
            String name = server == null ? serverId : "'" + server.getName() + "' (" + serverId + ")";
            throw new ConflictException("Volume " + volume + " is in use by VM " + name + "; stop and delete that VM (or detach"
                    + " the volume) before you " + toDo, ObjectId.of(volume));
        }
        if (found.getStatus() != Volume.Status.AVAILABLE) {
            throw new ConflictException("Volume " + volume + " is " + found.getStatus().value()
                    + ", not available; wait for it or ask the cloud's operator", ObjectId.of(volume));
        }
    }

    private Volume awaitVolume(VolumeRef volume, Volume.Status wanted) {
        return awaitVolume(volume, wanted, await);
    }

    private Volume awaitVolume(VolumeRef volume, Volume.Status wanted, Await await) {
        ObjectId object = ObjectId.of(volume);
        Volume seen = await.until(() -> volume(volume), v -> v.getStatus() == wanted || isFailed(v), object,
                v -> "Volume " + volume + " is " + v.getStatus().value() + ", not " + wanted.value());
        if (seen.getStatus() != wanted) {
            throw new PlatformException("Volume " + volume + " went to " + seen.getStatus().value() + " instead of "
                    + wanted.value() + "; see its messages with 'openstack volume message list'", object);
        }
        return seen;
    }

    private static boolean isFailed(Volume volume) {
        return volume.getStatus() == Volume.Status.ERROR || volume.getStatus() == Volume.Status.ERROR_DELETING
                || volume.getStatus() == Volume.Status.ERROR_RESTORING;
    }

    private static String nameOf(Volume volume) {
        String name = volume.getName() != null ? volume.getName() : volume.getDisplayName();
        return name == null || name.isBlank() ? volume.getId() : name;
    }

    // ---- VMs

    @Override
    public VmRef createVm(VmSpec spec) {
        ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.VM, spec.name());
        refuseUnknown(spec.properties(), VM_PROPERTIES, "VM '" + spec.name() + "'", object);
        Image image = call("Looking up", ObjectId.of(spec.image()), () -> os().imagesV2().get(spec.image().id()));
        if (image == null) {
            throw new ObjectNotFoundException(ObjectId.of(spec.image()));
        }
        Map<String, String> metadata = new HashMap<>();
        metadata.put(IMAGE_NAME, spec.image().name());
        ServerCreateBuilder server = Builders.server().name(spec.name()).image(spec.image().id())
                .flavor(flavorId(spec.properties().getOrDefault("flavor", settings.flavor()), object));
        if (!spec.links().isEmpty()) {
            // With a block-device mapping, Nova wants the image's own disk in it too, as boot device 0.
            server.blockDevice(Builders.blockDeviceMapping().uuid(spec.image().id()).sourceType(BDMSourceType.IMAGE)
                    .destinationType(BDMDestType.LOCAL).bootIndex(0).deleteOnTermination(true).build());
        }
        for (VolumeLink link : spec.links()) {
            if (link.mode() != VolumeLink.Mode.MOUNT_AT_BOOT) {
                throw new UnsupportedOperationDriverException(kind(), "copy at boot");
            }
            // Only its existence is checked here: a volume in use is left for Nova to refuse, so the
            // message can quote Nova's request id (see bootRefused).
            volume(link.volume());
            metadata.put(LINK_PREFIX + link.volume().id(), linkValue(link, object));
            server.blockDevice(Builders.blockDeviceMapping().uuid(link.volume().id()).sourceType(BDMSourceType.VOLUME)
                    .destinationType(BDMDestType.VOLUME).bootIndex(-1).deleteOnTermination(false).build());
        }
        server.addMetadata(metadata);
        ServerCreate create = server.build();
        long started = System.nanoTime();
        Server booted;
        Optional<String> createRequest;
        try {
            ServerService servers = os().compute().servers();
            booted = call("Creating", object, () -> servers.boot(create));
            // Until Nova has scheduled the server it records no instance action: the boot's own request id is the one to quote.
            createRequest = OpenstackFaults.lastRequestId(servers);
        } catch (DriverException refused) {
            throw bootRefused(spec, refused);
        }
        VmRef vm = new VmRef(booted.getId(), spec.name());
        Server seen;
        try {
            seen = settle(vm, Server.Status.ACTIVE, createRequest);
            if (seen.getStatus() == Server.Status.ACTIVE) {
                long active = System.nanoTime();
                stop(vm, StopMode.FORCE);
                log.info("Created VM {} on {}: ACTIVE after {} ms, SHUTOFF after {} ms more", vm, settings.endpoint(),
                        (active - started) / 1_000_000, (System.nanoTime() - active) / 1_000_000);
                return vm;
            }
        } catch (Await.DeadlineMissed missed) {
            Server last = missed.lastSeen(Server.class);
            throw new PlatformException("Creating VM '" + vm.name() + "' (" + vm.id() + ") failed: it was still " + statusOf(last) + " when the deadline of "
                    + Await.describe(missed.deadline()) + " (endpoint '" + settings.endpoint() + "', "
                    + OpenstackSettings.STATE_TIMEOUT_SECONDS + ") passed" + requestOf(vm, createRequest) + "; "
                    + undoCreate(vm, spec.links(), missed) + "; check that Nova's scheduler and compute services are up"
                    + " ('openstack compute service list'), or raise " + OpenstackSettings.STATE_TIMEOUT_SECONDS
                    + ", then try again", ObjectId.of(vm), missed);
        } catch (RuntimeException e) {
            undoCreate(vm, spec.links(), e);
            throw e;
        }
        PlatformException failed = new PlatformException("Creating VM '" + vm.name() + "' (" + vm.id() + ") failed: it went to ERROR instead of ACTIVE:"
                + " Nova says '" + faultOf(seen) + "'" + requestOf(vm, createRequest), ObjectId.of(vm));
        throw new PlatformException(failed.getMessage() + "; " + undoCreate(vm, spec.links(), failed)
                + "; fix what Nova's fault names (for 'No valid host': a smaller flavor, or more room in the cloud), then try again",
                ObjectId.of(vm), failed);
    }

    /**
     * Nova refused to create a server. When a linked volume is attached to another server (Nova only
     * says the volume is "in-use"), the refusal names that server, what to do, and Nova's request id.
     */
    private DriverException bootRefused(VmSpec spec, DriverException refused) {
        for (VolumeLink link : spec.links()) {
            Volume found;
            try {
                found = volume(link.volume());
            } catch (DriverException e) {
                refused.addSuppressed(e);
                continue;
            }
            List<? extends VolumeAttachment> attachments = found.getAttachments();
            if (attachments != null && !attachments.isEmpty()) {
                String serverId = attachments.get(0).getServerId();
                Server server = call("Looking up the server of", ObjectId.of(link.volume()), () -> os().compute().servers().get(serverId));
                String holder = server == null ? serverId : "'" + server.getName() + "' (" + serverId + ")";
                return new ConflictException("Creating VM '" + spec.name() + "' failed: volume " + link.volume() + " is in use by VM "
                        + holder + OpenstackFaults.requestIdIn(refused.getMessage()).map(id -> " (Nova refused, request " + id + ")").orElse("")
                        + "; stop and delete that VM (or detach the volume) before you link the volume to another",
                        ObjectId.of(link.volume()), refused);
            }
        }
        return refused;
    }

    /**
     * Deletes a server whose creation failed half-way and waits until it is gone and its linked
     * volumes are available again, so that nothing is left that the engine does not know of and a
     * retry (or a rollback to the old VM) can link the volumes at once. Says what it did, for the
     * failure's message; its own failure is kept beside the first.
     */
    private String undoCreate(VmRef vm, List<VolumeLink> links, RuntimeException cause) {
        ObjectId object = ObjectId.of(vm);
        try {
            call("Deleting half-created", object, () -> {
                OpenstackFaults.check(os().compute().servers().delete(vm.id()), "Deleting half-created", object);
                return null;
            });
            cleanup.until(() -> call("Looking up", object, () -> os().compute().servers().get(vm.id())), s -> s == null, object,
                    s -> "the half-created server is still " + statusOf(s));
            for (VolumeLink link : links) {
                awaitVolume(link.volume(), Volume.Status.AVAILABLE, cleanup);
            }
            return "the half-created server was deleted" + (links.isEmpty() ? "" : " and its volumes are available again");
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            return "deleting the half-created server failed too (" + OpenstackFaults.oneLine(e.getMessage())
                    + "): delete it with 'openstack server delete " + vm.id() + "'";
        }
    }

    private String linkValue(VolumeLink link, ObjectId object) {
        String value = link.mountPath() + " " + link.volume().name();
        if (value.length() > METADATA_VALUE_MAX) {
            throw new InvalidSpecException("The link of " + object + " to volume " + link.volume() + " at '" + link.mountPath()
                    + "' does not fit Nova's metadata (" + METADATA_VALUE_MAX + " characters for mount path and volume name)"
                    + "; use a shorter mount path", object);
        }
        return value;
    }

    private String flavorId(String name, ObjectId object) {
        List<? extends Flavor> flavors = call("Listing flavors for", object, () -> os().compute().flavors().list());
        return flavors.stream().filter(f -> f.getName().equals(name) || f.getId().equals(name)).findFirst()
                .map(Flavor::getId)
                .orElseThrow(() -> new InvalidSpecException("Flavor '" + name + "' for " + object + " does not exist in project '"
                        + settings.project() + "'; set the endpoint's (or the VM's) 'flavor' property to one of: "
                        + String.join(", ", new TreeSet<>(flavors.stream().map(Flavor::getName).toList())), object));
    }

    private Server server(VmRef vm) {
        Server found = call("Looking up", ObjectId.of(vm), () -> os().compute().servers().get(vm.id()));
        if (found == null) {
            throw new ObjectNotFoundException(ObjectId.of(vm));
        }
        return found;
    }

    /** Waits for a server's status with no task in progress; a server in ERROR fails with Nova's fault. */
    private Server awaitServer(VmRef vm, Server.Status wanted) {
        Server seen = settle(vm, wanted, Optional.empty());
        if (seen.getStatus() != wanted) {
            throw new PlatformException("VM " + vm + " went to ERROR instead of " + wanted + ": Nova says '" + faultOf(seen) + "'"
                    + requestOf(vm, Optional.empty()) + "; see 'openstack server event list " + vm.id() + "'", ObjectId.of(vm));
        }
        return seen;
    }

    /**
     * Waits until the server has {@code wanted} status with no task in progress, or is in ERROR,
     * and returns it; fails with {@link Await.DeadlineMissed} when neither comes in time.
     */
    private Server settle(VmRef vm, Server.Status wanted, Optional<String> request) {
        return await.until(() -> server(vm),
                s -> (s.getStatus() == wanted && s.getTaskState() == null) || s.getStatus() == Server.Status.ERROR, ObjectId.of(vm),
                s -> "VM " + vm + " is " + statusOf(s) + ", not " + wanted + requestOf(vm, request));
    }

    /** {@code BUILD (scheduling)}: Nova's status with the task it is busy with, if any. */
    private static String statusOf(Server server) {
        return server.getStatus() + (server.getTaskState() == null ? "" : " (" + server.getTaskState() + ")");
    }

    private static String faultOf(Server server) {
        return server.getFault() == null ? "no fault given" : OpenstackFaults.oneLine(server.getFault().getMessage());
    }

    /**
     * The request id of the server's last action, for messages: what the cloud's support looks up.
     * A server Nova has not scheduled yet has no action recorded: then {@code otherwise}, the
     * request that created it, when known.
     */
    private String requestOf(VmRef vm, Optional<String> otherwise) {
        Optional<String> last;
        try {
            List<? extends InstanceAction> actions = os().compute().servers().instanceActions().list(vm.id());
            last = actions.stream().max(Comparator.comparing(InstanceAction::getStartTime))
                    .map(a -> " (last request " + a.getRequestId() + ", " + a.getAction() + ")");
        } catch (RuntimeException e) {
            last = Optional.empty();
        }
        return last.or(() -> otherwise.map(id -> " (request " + id + ", create)")).orElse("");
    }

    static VmState stateOf(Server server) {
        String task = server.getTaskState();
        return switch (server.getStatus()) {
            case ACTIVE -> "powering-off".equals(task) ? VmState.STOPPING : VmState.RUNNING;
            case SHUTOFF, PAUSED, SUSPENDED, SHELVED, SHELVED_OFFLOADED -> "powering-on".equals(task) ? VmState.STARTING : VmState.STOPPED;
            case BUILD, REBOOT, HARD_REBOOT, REBUILD, RESIZE, VERIFY_RESIZE, MIGRATING -> VmState.STARTING;
            default -> VmState.CRASHED;
        };
    }

    @Override
    public List<VmInfo> listVms() {
        ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.ENDPOINT, settings.endpoint());
        return call("Listing servers of", object, () -> os().compute().servers().list(true)).stream()
                .map(this::info).toList();
    }

    @Override
    public VmInfo describeVm(VmRef vm) {
        return info(server(vm));
    }

    private VmInfo info(Server server) {
        Map<String, String> metadata = server.getMetadata() == null ? Map.of() : server.getMetadata();
        List<String> attached = server.getOsExtendedVolumesAttached();
        List<VolumeLink> links = new ArrayList<>();
        metadata.forEach((key, value) -> {
            if (key.startsWith(LINK_PREFIX)) {
                String volumeId = key.substring(LINK_PREFIX.length());
                String[] parts = value.split(" ", 2);
                if (attached == null || attached.contains(volumeId)) {
                    links.add(new VolumeLink(new VolumeRef(volumeId, parts.length > 1 ? parts[1] : volumeId), parts[0],
                            VolumeLink.Mode.MOUNT_AT_BOOT));
                }
            }
        });
        links.sort(Comparator.comparing(VolumeLink::mountPath));
        String imageId = server.getImageId() == null ? "unknown" : server.getImageId();
        return new VmInfo(new VmRef(server.getId(), server.getName()),
                new ImageRef(imageId, metadata.getOrDefault(IMAGE_NAME, imageId)), stateOf(server), links);
    }

    @Override
    public VmState state(VmRef vm) {
        return stateOf(server(vm));
    }

    @Override
    public BootReport start(VmRef vm) {
        Server server = server(vm);
        if (stateOf(server) != VmState.RUNNING) {
            if (server.getStatus() == Server.Status.SHUTOFF) {
                call("Starting", ObjectId.of(vm), () -> {
                    OpenstackFaults.check(os().compute().servers().action(vm.id(), Action.START), "Starting", ObjectId.of(vm));
                    return null;
                });
            }
            try {
                awaitServer(vm, Server.Status.ACTIVE);
            } catch (PlatformException e) {
                throw new VmStartFailedException(e.getMessage(), ObjectId.of(vm), Optional.empty(),
                        consoleTail(vm, VmStartFailedException.CONSOLE_TAIL_LINES));
            }
        }
        return new BootReport(vm, 0, Duration.ZERO);
    }

    /**
     * Stops a server with Nova's stop, graceful or not: Nova's API has no forced power-off for a
     * project's user; the compute host forces the guest off after its own shutdown timeout.
     * Returns when Nova reports SHUTOFF with no task in progress.
     */
    @Override
    public void stop(VmRef vm, StopMode mode) {
        Server server = server(vm);
        if (server.getStatus() == Server.Status.SHUTOFF && server.getTaskState() == null) {
            return;
        }
        if (server.getStatus() == Server.Status.ACTIVE && server.getTaskState() == null) {
            call("Stopping", ObjectId.of(vm), () -> {
                OpenstackFaults.check(os().compute().servers().action(vm.id(), Action.STOP), "Stopping", ObjectId.of(vm));
                return null;
            });
        }
        awaitServer(vm, Server.Status.SHUTOFF);
    }

    @Override
    public void deleteVm(VmRef vm) {
        Server server = server(vm);
        VmInfo info = info(server);
        if (info.state() != VmState.STOPPED && info.state() != VmState.CRASHED) {
            throw new ConflictException("VM " + vm + " is " + info.state() + "; stop it before deleting it", ObjectId.of(vm));
        }
        call("Deleting", ObjectId.of(vm), () -> {
            OpenstackFaults.check(os().compute().servers().delete(vm.id()), "Deleting", ObjectId.of(vm));
            return null;
        });
        await.until(() -> call("Looking up", ObjectId.of(vm), () -> os().compute().servers().get(vm.id())),
                s -> s == null, ObjectId.of(vm),
                s -> "VM " + vm + " is still " + s.getStatus() + requestOf(vm, Optional.empty()));
        // Nova detaches the linked volumes after the server is gone; wait so they are usable at once.
        for (VolumeLink link : info.links()) {
            awaitVolume(link.volume(), Volume.Status.AVAILABLE);
        }
    }

    @Override
    public void attachVolume(VmRef vm, VolumeLink link) {
        if (link.mode() != VolumeLink.Mode.MOUNT_AT_BOOT) {
            throw new UnsupportedOperationDriverException(kind(), "copy at boot");
        }
        ObjectId object = ObjectId.of(vm);
        server(vm);
        String value = linkValue(link, object);
        refuseInUse(volume(link.volume()), link.volume(), "attach it to VM " + vm);
        call("Attaching volume " + link.volume() + " to", object,
                () -> os().compute().servers().attachVolume(vm.id(), link.volume().id(), null));
        awaitVolume(link.volume(), Volume.Status.IN_USE);
        // openstack4j's updateMetadata is Nova's PUT, which replaces the whole metadata: keep the other keys.
        Map<String, String> metadata = new HashMap<>(metadataOf(server(vm)));
        metadata.put(LINK_PREFIX + link.volume().id(), value);
        call("Recording the link in", object, () -> os().compute().servers().updateMetadata(vm.id(), metadata));
    }

    private static Map<String, String> metadataOf(Server server) {
        return server.getMetadata() == null ? Map.of() : server.getMetadata();
    }

    @Override
    public void detachVolume(VmRef vm, VolumeRef volume) {
        ObjectId object = ObjectId.of(vm);
        server(vm);
        volume(volume);
        call("Detaching volume " + volume + " from", object, () -> {
            OpenstackFaults.check(os().compute().servers().detachVolume(vm.id(), volume.id()), "Detaching volume " + volume
                    + " from", object);
            return null;
        });
        awaitVolume(volume, Volume.Status.AVAILABLE);
        call("Removing the link from", object, () -> {
            OpenstackFaults.check(os().compute().servers().deleteMetadataItem(vm.id(), LINK_PREFIX + volume.id()),
                    "Removing the link from", object);
            return null;
        });
    }

    /** The server's metadata holds configuration-like items; firmware settings it cannot hold. */
    @Override
    public EnvironmentStore environment(VmRef vm) {
        return new ServerMetadataEnvironmentStore(new NovaServerMetadata(), vm, kind());
    }

    /** The store's calls, through the one translation of OpenStack's errors. */
    private final class NovaServerMetadata implements ServerMetadataEnvironmentStore.ServerMetadata {
        @Override
        public Map<String, String> read(VmRef vm) {
            Map<String, String> metadata = server(vm).getMetadata();
            return metadata == null ? Map.of() : metadata;
        }

        @Override
        public void replace(VmRef vm, Map<String, String> metadata) {
            call("Writing the environment of", ObjectId.of(vm), () -> os().compute().servers().updateMetadata(vm.id(), metadata));
        }

        @Override
        public int maxItems() {
            ObjectId object = new ObjectId(dev.duplex.api.ObjectKind.ENDPOINT, settings.endpoint());
            return call("Reading the compute limits of", object, () -> os().compute().quotaSets().limits()).getAbsolute().getMaxServerMeta();
        }
    }

    @Override
    public List<String> consoleTail(VmRef vm, int lines) {
        String output = call("Reading the console of", ObjectId.of(vm),
                () -> os().compute().servers().getConsoleOutput(vm.id(), lines));
        return output == null ? List.of() : List.of(output.split("\r?\n"));
    }

    private static void refuseUnknown(Map<String, String> properties, Set<String> known, String what, ObjectId object) {
        for (String key : properties.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidSpecException("The openstack driver does not know the property '" + key + "' of " + what
                        + (known.isEmpty() ? "; it takes none" : "; known: " + String.join(", ", new TreeSet<>(known))), object);
            }
        }
    }

    @Override
    public void close() {
        // Tokens expire by themselves; openstack4j holds no connection to release, the revert's own client does.
        snapshots.close();
    }
}
