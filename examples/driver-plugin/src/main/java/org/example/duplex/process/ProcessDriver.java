package org.example.duplex.process;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.ConflictException;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.PlatformException;
import dev.duplex.api.StopMode;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A VM is a shell script run as a host process in its own session; its root folder holds one
 * symbolic link per {@code MOUNT_AT_BOOT} link, to the volume's folder. A running VM is found
 * again, from any connection, by its pid and the process's start time (a pid is reused).
 */
final class ProcessDriver implements HypervisorDriver {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final StateFolder state;

    ProcessDriver(StateFolder state) {
        this.state = state;
    }

    @Override
    public String kind() {
        return ProcessDriverProvider.KIND;
    }

    @Override
    public Capabilities capabilities() {
        return ProcessDriverProvider.CAPABILITIES;
    }

    // ---- images: a script file on the host

    @Override
    public synchronized ImageRef registerImage(ImageSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.IMAGE, spec.name());
        refuseProperties(spec.properties(), object);
        Path script = Path.of(spec.source()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(script)) {
            throw new InvalidSpecException("image " + spec.name() + ": source " + spec.source() + " is not a script file", object);
        }
        String id = StateFolder.newId();
        Properties record = new Properties();
        record.setProperty("name", spec.name());
        record.setProperty("version", spec.softwareVersion());
        record.setProperty("script", script.toString());
        state.write("images", id, record);
        return new ImageRef(id, spec.name());
    }

    @Override
    public synchronized List<ImageInfo> listImages() {
        List<ImageInfo> images = new ArrayList<>();
        for (String id : state.ids("images")) {
            Properties record = image(id);
            images.add(new ImageInfo(new ImageRef(id, record.getProperty("name")), record.getProperty("version")));
        }
        return images;
    }

    @Override
    public synchronized void deleteImage(ImageRef image) {
        image(image.id());
        for (String vm : state.ids("vms")) {
            Properties record = vm(vm);
            if (record.getProperty("image").equals(image.id())) {
                throw new ConflictException("image " + image.name() + " is used by VM " + record.getProperty("name"),
                        new ObjectId(ObjectKind.IMAGE, image.id()));
            }
        }
        state.delete("images", image.id());
    }

    // ---- volumes: a folder

    @Override
    public synchronized VolumeRef createVolume(VolumeSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.VOLUME, spec.name());
        refuseProperties(spec.properties(), object);
        String id = StateFolder.newId();
        StateFolder.privateFolder(state.folder("volumes").resolve(id));
        Properties record = new Properties();
        record.setProperty("name", spec.name());
        record.setProperty("size", Long.toString(spec.sizeBytes()));
        record.setProperty("purpose", spec.purpose());
        state.write("volumes", id, record);
        return new VolumeRef(id, spec.name());
    }

    @Override
    public synchronized List<VolumeInfo> listVolumes() {
        List<VolumeInfo> volumes = new ArrayList<>();
        for (String id : state.ids("volumes")) {
            Properties record = volume(id);
            volumes.add(new VolumeInfo(new VolumeRef(id, record.getProperty("name")), Long.parseLong(record.getProperty("size")),
                    record.getProperty("purpose")));
        }
        return volumes;
    }

    @Override
    public synchronized void deleteVolume(VolumeRef volume) {
        volume(volume.id());
        for (String vm : state.ids("vms")) {
            Properties record = vm(vm);
            if (links(record).stream().anyMatch(link -> link.volume().id().equals(volume.id()))) {
                throw new ConflictException("volume " + volume.name() + " is linked to VM " + record.getProperty("name")
                        + "; delete the VM first", new ObjectId(ObjectKind.VOLUME, volume.id()));
            }
        }
        state.delete("volumes", volume.id());
        StateFolder.deleteTree(state.folder("volumes").resolve(volume.id()));
    }

    // ---- VMs

    @Override
    public synchronized VmRef createVm(VmSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.VM, spec.name());
        refuseProperties(spec.properties(), object);
        image(spec.image().id());
        Properties record = new Properties();
        record.setProperty("name", spec.name());
        record.setProperty("image", spec.image().id());
        record.setProperty("links", Integer.toString(spec.links().size()));
        for (int i = 0; i < spec.links().size(); i++) {
            VolumeLink link = spec.links().get(i);
            if (link.mode() != VolumeLink.Mode.MOUNT_AT_BOOT) {
                throw new UnsupportedOperationDriverException(kind(), "copy at boot");
            }
            volume(link.volume().id());
            record.setProperty("link." + i + ".volume", link.volume().id());
            record.setProperty("link." + i + ".volume-name", link.volume().name());
            record.setProperty("link." + i + ".path", link.mountPath());
        }
        String id = StateFolder.newId();
        state.write("vms", id, record);
        return new VmRef(id, spec.name());
    }

    @Override
    public synchronized List<VmInfo> listVms() {
        List<VmInfo> vms = new ArrayList<>();
        for (String id : state.ids("vms")) {
            vms.add(info(id, vm(id)));
        }
        return vms;
    }

    @Override
    public synchronized VmInfo describeVm(VmRef vm) {
        return info(vm.id(), vm(vm.id()));
    }

    @Override
    public synchronized BootReport start(VmRef vm) {
        Properties record = vm(vm.id());
        if (process(record).isPresent()) {
            return new BootReport(vm, 0, Duration.ZERO);
        }
        Path root = state.folder("vms").resolve(vm.id());
        StateFolder.deleteTree(root);
        StateFolder.privateFolder(root);
        try {
            for (VolumeLink link : links(record)) {
                Path mountPoint = root.resolve(link.mountPath()).normalize();
                if (!mountPoint.startsWith(root) || mountPoint.equals(root)) {
                    throw new InvalidSpecException("VM " + vm.name() + ": mount path " + link.mountPath() + " leaves the VM's root",
                            new ObjectId(ObjectKind.VM, vm.id()));
                }
                Files.createDirectories(mountPoint.getParent());
                Files.createSymbolicLink(mountPoint, state.folder("volumes").resolve(link.volume().id()));
            }
            String script = image(record.getProperty("image")).getProperty("script");
            Path console = state.folder("vms").resolve(vm.id() + ".console");
            Process process = new ProcessBuilder("setsid", "sh", script).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile())).start();
            record.setProperty("pid", Long.toString(process.pid()));
            record.setProperty("started", process.info().startInstant().map(Instant::toString).orElse(""));
            state.write("vms", vm.id(), record);
        } catch (IOException e) {
            throw new PlatformException("cannot start VM " + vm.name() + ": " + e.getMessage(), new ObjectId(ObjectKind.VM, vm.id()), e);
        }
        return new BootReport(vm, 0, Duration.ZERO);
    }

    @Override
    public synchronized void stop(VmRef vm, StopMode mode) {
        Properties record = vm(vm.id());
        Optional<ProcessHandle> process = process(record);
        if (process.isPresent()) {
            List<ProcessHandle> all = new ArrayList<>(process.get().descendants().toList());
            all.add(process.get());
            all.forEach(mode == StopMode.FORCE ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
            if (!awaitExit(all, mode == StopMode.FORCE ? Duration.ofSeconds(2) : GRACE)) {
                all.forEach(ProcessHandle::destroyForcibly);
                awaitExit(all, Duration.ofSeconds(2));
            }
        }
        record.remove("pid");
        record.remove("started");
        state.write("vms", vm.id(), record);
    }

    @Override
    public synchronized void deleteVm(VmRef vm) {
        Properties record = vm(vm.id());
        if (process(record).isPresent()) {
            throw new ConflictException("VM " + vm.name() + " is running; stop it first", new ObjectId(ObjectKind.VM, vm.id()));
        }
        state.delete("vms", vm.id());
        StateFolder.deleteTree(state.folder("vms").resolve(vm.id()));
    }

    @Override
    public void close() {
        // Nothing is held open: every call reads the state folder.
    }

    // ----

    private VmInfo info(String id, Properties record) {
        String imageId = record.getProperty("image");
        String imageName = state.ids("images").contains(imageId) ? image(imageId).getProperty("name") : imageId;
        VmState vmState = process(record).isPresent() ? VmState.RUNNING : VmState.STOPPED;
        return new VmInfo(new VmRef(id, record.getProperty("name")), new ImageRef(imageId, imageName), vmState, links(record));
    }

    /** The VM's process, if it runs: the recorded pid, started at the recorded time. */
    private static Optional<ProcessHandle> process(Properties record) {
        String pid = record.getProperty("pid");
        if (pid == null) {
            return Optional.empty();
        }
        String started = record.getProperty("started", "");
        return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().startInstant().map(Instant::toString).orElse("").equals(started));
    }

    private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle process : processes) {
            try {
                process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static List<VolumeLink> links(Properties record) {
        List<VolumeLink> links = new ArrayList<>();
        int count = Integer.parseInt(record.getProperty("links", "0"));
        for (int i = 0; i < count; i++) {
            links.add(new VolumeLink(new VolumeRef(record.getProperty("link." + i + ".volume"), record.getProperty("link." + i
                    + ".volume-name")), record.getProperty("link." + i + ".path"), VolumeLink.Mode.MOUNT_AT_BOOT));
        }
        return links;
    }

    private Properties image(String id) {
        return state.read("images", id, new ObjectId(ObjectKind.IMAGE, id));
    }

    private Properties volume(String id) {
        return state.read("volumes", id, new ObjectId(ObjectKind.VOLUME, id));
    }

    private Properties vm(String id) {
        return state.read("vms", id, new ObjectId(ObjectKind.VM, id));
    }

    private static void refuseProperties(Map<String, String> properties, ObjectId object) {
        for (String key : properties.keySet()) {
            throw new InvalidSpecException(object.kind().words() + " " + object.id() + ": unknown property '" + key
                    + "'; the process driver has none", object);
        }
    }
}
