package dev.duplex.driver.local;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.ConflictException;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmStartFailedException;
import dev.duplex.api.VmState;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.api.ObjectName;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A connection to one local endpoint: a state folder holding {@code images/}, {@code volumes/}
 * and {@code vms/}. All state is on disk, so a new instance finds everything an earlier one
 * (or a crashed orchestrator) left, running VMs included.
 *
 * <p>Starting a running VM is refused with {@link ConflictException}; starting a stopped or
 * crashed one rebuilds its root folder from the image first (what the VM wrote outside its
 * volumes is not kept, as with a real VM's disposable image), then watches it for the settle
 * time ({@link VmStartFailedException} if it exits). A stop returns once the VM's processes are
 * gone ({@link VmTermination}), then saves its copy-at-boot copies back ({@link CopyWriteBack}).
 *
 * <p>Thread safety: each object has its own lock ({@link ObjectLocks}); operations on different
 * objects run in parallel.
 */
final class LocalDriver implements HypervisorDriver {
    private static final String ENV_PREFIX = "env.";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final LocalSettings settings;
    /** Every path below the state folder is built through it, checked to stay inside and to cross no link. */
    private final StateFolder state;
    private final ObjectLocks locks = new ObjectLocks();
    private final VmTermination termination = new VmTermination();
    private final CopyWriteBack writeBack;
    private final Capabilities capabilities;

    LocalDriver(LocalSettings settings) {
        this.settings = settings;
        this.state = new StateFolder(settings.stateDirectory());
        this.writeBack = new CopyWriteBack(locks, this::volume);
        // Checked, not guessed: snapshots are reflink clones, which only some file systems make.
        this.capabilities = Reflink.supportedIn(state.root())
                ? LocalDriverProvider.CAPABILITIES
                : withoutSnapshots(LocalDriverProvider.CAPABILITIES);
    }

    @Override
    public String kind() {
        return LocalDriverProvider.KIND;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    // ---- images

    @Override
    public ImageRef registerImage(ImageSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.IMAGE, spec.name());
        try (var held = locks.lock("image-name:" + spec.name())) {
            if (listImages().stream().anyMatch(i -> i.image().name().equals(spec.name()))) {
                throw new ConflictException("An image named " + spec.name() + " is already registered", object);
            }
            return IoErrors.call("register the image", object,
                    () -> ImageFolder.register(images(), Ids.newId(spec.name()), spec).ref());
        }
    }

    @Override
    public List<ImageInfo> listImages() {
        return IoErrors.call("list images", null, () -> {
            List<ImageInfo> result = new ArrayList<>();
            for (Path folder : children(images())) {
                ImageFolder image = new ImageFolder(folder);
                readIfPresent(image::exists, image::info).ifPresent(result::add);
            }
            return result;
        });
    }

    @Override
    public void deleteImage(ImageRef ref) {
        ImageFolder image = image(ref);
        try (var held = locks.lock("image:" + ref.id())) {
            List<String> users = vmsWhere(d -> d.image().id().equals(ref.id()));
            if (!users.isEmpty()) {
                throw new ConflictException("Image " + ref + " is used by VM(s) " + String.join(", ", users)
                        + "; delete them first", ObjectId.of(ref));
            }
            IoErrors.call("delete the image", ObjectId.of(ref), () -> {
                image.delete();
                return null;
            });
        }
    }

    // ---- volumes

    @Override
    public VolumeRef createVolume(VolumeSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.VOLUME, spec.name());
        try (var held = locks.lock("volume-name:" + spec.name())) {
            if (listVolumes().stream().anyMatch(v -> v.volume().name().equals(spec.name()))) {
                throw new ConflictException("A volume named " + spec.name() + " already exists", object);
            }
            String id = Ids.newId(spec.name());
            IoErrors.call("create the volume", object, () -> VolumeFolder.create(volumes(), id, spec));
            return new VolumeRef(id, spec.name());
        }
    }

    @Override
    public List<VolumeInfo> listVolumes() {
        return IoErrors.call("list volumes", null, () -> {
            List<VolumeInfo> result = new ArrayList<>();
            for (Path folder : children(volumes())) {
                VolumeFolder volume = new VolumeFolder(folder);
                readIfPresent(volume::exists, volume::info).ifPresent(result::add);
            }
            return result;
        });
    }

    @Override
    public void deleteVolume(VolumeRef ref) {
        VolumeFolder volume = volume(ref);
        try (var held = locks.lock("volume:" + ref.id())) {
            List<String> users = vmsWhere(d -> d.links().stream().anyMatch(l -> l.volume().id().equals(ref.id())));
            if (!users.isEmpty()) {
                throw new ConflictException("Volume " + ref + " is linked to VM(s) " + String.join(", ", users)
                        + "; delete them first", ObjectId.of(ref));
            }
            IoErrors.call("delete the volume", ObjectId.of(ref), () -> {
                volume.delete();
                return null;
            });
        }
    }

    @Override
    public long copyVolume(VolumeRef from, VolumeRef to, CopyProgress progress) {
        if (from.id().equals(to.id())) {
            throw new InvalidSpecException("Cannot copy volume " + from + " onto itself", ObjectId.of(from));
        }
        VolumeFolder source = volume(from);
        VolumeFolder target = volume(to);
        try (var held = locks.lock("volume:" + from.id(), "volume:" + to.id())) {
            return IoErrors.call("copy volume " + from + " into " + to, ObjectId.of(to), () -> {
                // Copy beside the target, then swap: the target never holds a mix of old and new content.
                String nonce = UUID.randomUUID().toString().substring(0, 8);
                Path staging = target.folder().resolve(".copy-" + nonce);
                Path old = target.folder().resolve(".old-" + nonce);
                try {
                    long copied = TreeCopy.copy(source.data(), staging, progress);
                    Files.move(target.data(), old);
                    Files.move(staging, target.data());
                    return copied;
                } finally {
                    TreeDeletion.delete(staging);
                    TreeDeletion.delete(old);
                }
            });
        }
    }

    // ---- snapshots

    @Override
    public VolumeSnapshot snapshotVolume(VolumeRef ref, String name) {
        requireSnapshots();
        String checked = snapshotName(ref, name);
        VolumeFolder volume = volume(ref);
        try (var held = locks.lock("volume:" + ref.id())) {
            return IoErrors.call("snapshot the volume", ObjectId.of(ref), () -> {
                CopyWriteBack.recover(volume);
                SnapshotFolder.dropLeftovers(volume);
                SnapshotFolder existing = SnapshotFolder.of(volume, checked);
                if (existing.exists()) {
                    return existing.read(ref);
                }
                return SnapshotFolder.take(volume, checked, Instant.now()).read(ref);
            });
        }
    }

    @Override
    public List<VolumeSnapshot> listSnapshots(VolumeRef ref) {
        requireSnapshots();
        VolumeFolder volume = volume(ref);
        return IoErrors.call("list the snapshots", ObjectId.of(ref), () -> {
            List<VolumeSnapshot> result = new ArrayList<>();
            for (SnapshotFolder snapshot : SnapshotFolder.list(volume)) {
                readIfPresent(snapshot::exists, () -> snapshot.read(ref)).ifPresent(result::add);
            }
            return result;
        });
    }

    @Override
    public void restoreSnapshot(VolumeSnapshot snapshot) {
        requireSnapshots();
        VolumeRef ref = snapshot.volume();
        ObjectId object = snapshotObject(snapshot);
        VolumeFolder volume = volume(ref);
        try (var held = locks.lock("volume:" + ref.id())) {
            SnapshotFolder found = findSnapshot(volume, snapshot, object);
            List<String> running = runningVmsLinking(ref);
            if (!running.isEmpty()) {
                throw new ConflictException("Cannot restore snapshot " + snapshot.name() + " of volume " + ref
                        + ": running VM(s) " + String.join(", ", running) + " use it; stop them first", object);
            }
            IoErrors.call("restore the snapshot", object, () -> {
                CopyWriteBack.recover(volume);
                String nonce = UUID.randomUUID().toString().substring(0, 8);
                Path staged = volume.folder().resolve(CopyWriteBack.stagingName(nonce));
                try {
                    // The snapshot's own folder stays: a clone of it goes in, so it can be restored again.
                    Reflink.cloneTree(found.data(), staged);
                    CopyWriteBack.swapIn(volume, staged, nonce);
                } finally {
                    TreeDeletion.delete(staged);
                }
                return null;
            });
        }
    }

    @Override
    public void deleteSnapshot(VolumeSnapshot snapshot) {
        requireSnapshots();
        VolumeRef ref = snapshot.volume();
        if (!Ids.isValid(ref.id()) || !ObjectName.isValid(snapshot.name())) {
            return; // no such snapshot can exist here: nothing to delete
        }
        VolumeFolder volume;
        try {
            volume = volume(ref);
        } catch (ObjectNotFoundException gone) {
            return; // the volume, and so its snapshots, are gone
        }
        try (var held = locks.lock("volume:" + ref.id())) {
            IoErrors.call("delete the snapshot", snapshotObject(snapshot), () -> {
                SnapshotFolder found = SnapshotFolder.of(volume, snapshot.name());
                if (found.exists() && found.read(ref).id().equals(snapshot.id())) {
                    found.delete();
                }
                return null;
            });
        }
    }

    private static Capabilities withoutSnapshots(Capabilities all) {
        java.util.EnumSet<Capability> features = java.util.EnumSet.copyOf(all.features());
        features.remove(Capability.VOLUME_SNAPSHOT);
        return new Capabilities(features);
    }

    private void requireSnapshots() {
        if (!capabilities.supports(Capability.VOLUME_SNAPSHOT)) {
            throw new UnsupportedOperationDriverException(kind(), "volume snapshot");
        }
    }

    private static String snapshotName(VolumeRef ref, String name) {
        if (!ObjectName.isValid(name)) {
            throw new InvalidSpecException(ObjectName.problem("snapshot", name == null ? "" : name) + " (of volume " + ref + ")",
                    ObjectId.of(ref));
        }
        return name;
    }

    private static ObjectId snapshotObject(VolumeSnapshot snapshot) {
        return new ObjectId(ObjectKind.VOLUME_SNAPSHOT, snapshot.name() + " of volume " + snapshot.volume());
    }

    private static SnapshotFolder findSnapshot(VolumeFolder volume, VolumeSnapshot snapshot, ObjectId object) {
        if (!ObjectName.isValid(snapshot.name())) {
            throw new ObjectNotFoundException(object);
        }
        SnapshotFolder found = SnapshotFolder.of(volume, snapshot.name());
        VolumeSnapshot read = found.exists() ? IoErrors.call("read the snapshot", object, () -> found.read(snapshot.volume())) : null;
        if (read == null || !read.id().equals(snapshot.id())) {
            throw new ObjectNotFoundException(object);
        }
        return found;
    }

    /** Names of the VMs that link the volume and run: a restore under them would change a mounted database. */
    private List<String> runningVmsLinking(VolumeRef ref) {
        return IoErrors.call("list VMs", null, () -> {
            List<String> names = new ArrayList<>();
            for (Path folder : children(vms())) {
                VmFolder vm = new VmFolder(folder);
                Optional<VmFolder.Definition> definition = readIfPresent(vm::exists, vm::definition);
                if (definition.isPresent() && definition.get().links().stream().anyMatch(l -> l.volume().id().equals(ref.id()))
                        && vm.state() == VmState.RUNNING) {
                    names.add(definition.get().vm().toString());
                }
            }
            return names;
        });
    }

    // ---- VMs

    @Override
    public VmRef createVm(VmSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.VM, spec.name());
        environmentOf(spec, object); // validates the properties; VolumeLink has checked each mount path's form
        List<String> keys = new ArrayList<>(List.of("vm-name:" + spec.name(), "image:" + spec.image().id()));
        spec.links().forEach(l -> keys.add("volume:" + l.volume().id()));
        try (var held = locks.lock(keys.toArray(String[]::new))) {
            ImageFolder image = image(spec.image());
            spec.links().forEach(l -> volume(l.volume()));
            // Refused now rather than at the first start: a mount path through a link in the image.
            for (VolumeLink link : spec.links()) {
                IoErrors.call("check the mount path", object,
                        () -> MountPoint.resolve(image.content(), link, false, spec.name(), object));
            }
            if (!vmsWhere(d -> d.vm().name().equals(spec.name())).isEmpty()) {
                throw new ConflictException("A VM named " + spec.name() + " already exists", object);
            }
            String id = Ids.newId(spec.name());
            IoErrors.call("create the VM", object, () -> VmFolder.create(vms(), id, spec));
            return new VmRef(id, spec.name());
        }
    }

    @Override
    public List<VmInfo> listVms() {
        return IoErrors.call("list VMs", null, () -> {
            List<VmInfo> result = new ArrayList<>();
            for (Path folder : children(vms())) {
                VmFolder vm = new VmFolder(folder);
                readIfPresent(vm::exists, () -> info(vm)).ifPresent(result::add);
            }
            return result;
        });
    }

    @Override
    public VmInfo describeVm(VmRef ref) {
        VmFolder vm = vm(ref);
        return IoErrors.call("describe the VM", ObjectId.of(ref), () -> info(vm));
    }

    @Override
    public VmState state(VmRef ref) {
        VmFolder vm = vm(ref);
        return IoErrors.call("read the state of the VM", ObjectId.of(ref), vm::state);
    }

    @Override
    public BootReport start(VmRef ref) {
        try (var held = locks.lock("vm:" + ref.id())) {
            VmFolder vm = vm(ref);
            VmFolder.Definition definition = IoErrors.call("read the VM's definition", ObjectId.of(ref), vm::definition);
            ObjectId object = ObjectId.of(definition.vm());
            VmBoot.Booted booted = IoErrors.call("start the VM", object, () -> {
                if (vm.state() == VmState.RUNNING) {
                    throw new ConflictException("VM " + ref + " is already running", object);
                }
                // A crashed run may have left a child behind, still writing or holding a port: it goes first.
                Optional<VmProcess> earlier = vm.process();
                if (earlier.isPresent()) {
                    termination.end(earlier.get(), StopMode.FORCE, Duration.ZERO, object);
                }
                // Then the crashed run's copies are saved before the boot copies the volumes in over them.
                writeBack.saveCopies(vm, definition);
                for (VolumeLink link : definition.links()) {
                    try (var volumeHeld = locks.lock("volume:" + link.volume().id())) {
                        CopyWriteBack.recover(volume(link.volume()));
                    }
                }
                ImageFolder image = image(definition.image());
                return new VmBoot(vm, definition, image, this::volume).boot(
                        environmentOf(definition, image.info().softwareVersion(), vm.root()));
            });
            IoErrors.call("watch the VM start", object, () -> {
                settle(vm, definition, booted.launched());
                return null;
            });
            return booted.report();
        }
    }

    /**
     * Watches the new VM for the settle time: one that exits in it (a port in use, a bad command)
     * is a failed start, reported with its exit and console, not a VM found CRASHED later.
     */
    private void settle(VmFolder vm, VmFolder.Definition definition, VmProcess.Launched launched) throws IOException {
        long deadline = System.nanoTime() + settings.startSettle().toNanos();
        while (launched.process().alive() && System.nanoTime() - deadline < 0) {
            VmProcess.pause();
        }
        if (launched.process().alive()) {
            return;
        }
        ObjectId object = ObjectId.of(definition.vm());
        // What it left behind (a child still holding the port) goes too, and its copies are saved.
        termination.end(launched.process(), StopMode.FORCE, Duration.ZERO, object);
        writeBack.saveCopies(vm, definition);
        Optional<Integer> exit = exitOf(launched);
        List<String> tail = vm.consoleTail(VmStartFailedException.CONSOLE_TAIL_LINES);
        String lastLine = tail.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
        throw new VmStartFailedException("VM " + definition.vm().name() + " " + exit.map(LocalDriver::describeExit)
                .orElse("exited") + " within " + settings.startSettle().toMillis() + " ms of its start"
                + (lastLine.isEmpty() ? " and printed nothing" : "; its console ends: '" + VisibleText.escape(lastLine) + "'")
                + "; fix the cause (see " + vm.console() + ") and start it again", object, exit, tail);
    }

    private static Optional<Integer> exitOf(VmProcess.Launched launched) {
        if (launched.child().isEmpty()) {
            return Optional.empty();
        }
        try {
            Process child = launched.child().get();
            return child.waitFor(1, java.util.concurrent.TimeUnit.SECONDS) ? Optional.of(child.exitValue()) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The JDK reports a death by signal N as 128 + N, as shells do. */
    private static String describeExit(int code) {
        return code > 128 && code < 128 + 65 ? "was killed by signal " + (code - 128) : "exited with status " + code;
    }

    @Override
    public void stop(VmRef ref, StopMode mode) {
        try (var held = locks.lock("vm:" + ref.id())) {
            VmFolder vm = vm(ref);
            IoErrors.call("stop the VM", ObjectId.of(ref), () -> {
                stopLocked(vm, mode);
                return null;
            });
        }
    }

    private void stopLocked(VmFolder vm, StopMode mode) throws IOException {
        Optional<VmProcess> process = vm.process();
        if (process.isEmpty()) {
            return; // never started
        }
        // The marker goes first: whoever sees the process gone from now on knows it was asked to go.
        if (!Files.exists(vm.stopMarker())) {
            PropertiesFile.writeAtomically(vm.stopMarker(), (Instant.now() + " " + mode + "\n").getBytes());
        }
        VmFolder.Definition definition = vm.definition();
        // Also when the main process is already gone: a child it left may still hold files or ports.
        termination.end(process.get(), mode, settings.stopGrace(), ObjectId.of(definition.vm()));
        // Only now that nothing of the VM can write to its copies any more.
        writeBack.saveCopies(vm, definition);
    }

    @Override
    public void deleteVm(VmRef ref) {
        try (var held = locks.lock("vm:" + ref.id())) {
            VmFolder vm = vm(ref);
            IoErrors.call("delete the VM", ObjectId.of(ref), () -> {
                if (vm.state() == VmState.RUNNING) {
                    throw new ConflictException("VM " + ref + " is running; stop it before deleting it", ObjectId.of(ref));
                }
                // A crashed VM's writes to its copies are saved before its folder goes.
                writeBack.saveCopies(vm, vm.definition());
                vm.delete();
                return null;
            });
        }
    }

    @Override
    public EnvironmentStore environment(VmRef ref) {
        VmFolder vm = vm(ref);
        return new FileEnvironmentStore(vm.environment(), ref, locks.of("environment:" + ref.id()));
    }

    @Override
    public void close() {
        // Nothing to release: VMs are independent processes and all state is on disk.
    }

    // ---- lookups

    private Path images() throws IOException {
        return state.resolve("images");
    }

    private Path volumes() throws IOException {
        return state.resolve("volumes");
    }

    private Path vms() throws IOException {
        return state.resolve("vms");
    }

    private ImageFolder image(ImageRef ref) {
        // An id that is not one of ours must not reach the file system as a path (no "../").
        if (!Ids.isValid(ref.id())) {
            throw new ObjectNotFoundException(ObjectId.of(ref));
        }
        ImageFolder image = new ImageFolder(IoErrors.call("find the image", ObjectId.of(ref), () -> state.resolve("images", ref.id())));
        if (!image.exists()) {
            throw new ObjectNotFoundException(ObjectId.of(ref));
        }
        return image;
    }

    private VolumeFolder volume(VolumeRef ref) {
        if (!Ids.isValid(ref.id())) {
            throw new ObjectNotFoundException(ObjectId.of(ref));
        }
        VolumeFolder volume = new VolumeFolder(IoErrors.call("find the volume", ObjectId.of(ref), () -> state.resolve("volumes", ref.id())));
        if (!volume.exists()) {
            throw new ObjectNotFoundException(ObjectId.of(ref));
        }
        return volume;
    }

    @Override
    public List<String> consoleTail(VmRef ref, int lines) {
        VmFolder vm = vm(ref);
        return IoErrors.call("read the console of", ObjectId.of(ref), () -> vm.consoleTail(lines));
    }

    private VmFolder vm(VmRef ref) {
        if (!Ids.isValid(ref.id())) {
            throw new ObjectNotFoundException(ObjectId.of(ref));
        }
        VmFolder vm = new VmFolder(IoErrors.call("find the VM", ObjectId.of(ref), () -> state.resolve("vms", ref.id())));
        if (!vm.exists()) {
            throw new ObjectNotFoundException(ObjectId.of(ref));
        }
        return vm;
    }

    private static VmInfo info(VmFolder vm) throws IOException {
        VmFolder.Definition definition = vm.definition();
        return new VmInfo(definition.vm(), definition.image(), vm.state(), definition.links());
    }

    /** Names of the VMs whose definition matches. */
    private List<String> vmsWhere(java.util.function.Predicate<VmFolder.Definition> test) {
        return IoErrors.call("list VMs", null, () -> {
            List<String> names = new ArrayList<>();
            for (Path folder : children(vms())) {
                VmFolder vm = new VmFolder(folder);
                readIfPresent(vm::exists, vm::definition).filter(test).ifPresent(d -> names.add(d.vm().toString()));
            }
            return names;
        });
    }

    /** The object folders under {@code root}; staging folders (dot names) are not objects yet. */
    private static List<Path> children(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted()
                    .toList();
        }
    }

    /** Reads an object that another thread may delete meanwhile: gone means skipped, not failed. */
    private static <T> Optional<T> readIfPresent(java.util.function.BooleanSupplier exists, IoErrors.IoWork<T> read)
            throws IOException {
        if (!exists.getAsBoolean()) {
            return Optional.empty();
        }
        try {
            return Optional.of(read.run());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> environmentOf(VmSpec spec, ObjectId object) {
        Map<String, String> environment = new LinkedHashMap<>();
        spec.properties().forEach((key, value) -> {
            String name = key.startsWith(ENV_PREFIX) ? key.substring(ENV_PREFIX.length()) : null;
            if (name == null) {
                throw new InvalidSpecException("Unknown property '" + key + "' for VM " + spec.name()
                        + "; the local driver knows only 'env.<NAME>' (an environment variable of the VM's process)", object);
            }
            if (!ENV_NAME.matcher(name).matches() || name.startsWith("DUPLEX_")) {
                throw new InvalidSpecException("Property '" + key + "' of VM " + spec.name() + " does not name a valid"
                        + " environment variable (letters, digits, '_'; DUPLEX_* is reserved)", object);
            }
            environment.put(name, value);
        });
        return environment;
    }

    private static Map<String, String> environmentOf(VmFolder.Definition definition, String version, Path root) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DUPLEX_VM_NAME", definition.vm().name());
        environment.put("DUPLEX_VM_ID", definition.vm().id());
        environment.put("DUPLEX_VM_ROOT", root.toAbsolutePath().toString());
        environment.put("DUPLEX_IMAGE_VERSION", version);
        definition.properties().forEach((key, value) -> environment.put(key.substring(ENV_PREFIX.length()), value));
        return environment;
    }
}
