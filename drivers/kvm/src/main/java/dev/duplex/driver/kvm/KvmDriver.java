package dev.duplex.driver.kvm;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BootReport;
import dev.duplex.api.Capabilities;
import dev.duplex.api.Capability;
import dev.duplex.api.ConflictException;
import dev.duplex.api.CopyProgress;
import dev.duplex.api.DriverConfig;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageInfo;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmInfo;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import dev.duplex.api.VolumeInfo;
import dev.duplex.api.VolumeLink;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.api.VolumeSpec;
import dev.duplex.driver.kvm.LibvirtErrors.Context;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.w3c.dom.Element;

/**
 * A connection to one libvirt endpoint. Images are never-started template domains holding a
 * direct-boot kernel, initrd and command line; VMs are domains made from them; volumes live in
 * one storage pool; a {@link VolumeLink.Mode#MOUNT_AT_BOOT} link is a {@code <disk>} pointing at
 * the linked volume itself; everything Duplex needs to remember is in the domains' metadata and
 * the pool, so a new connection finds it all again.
 */
final class KvmDriver implements HypervisorDriver {
    private static final Logger LOG = System.getLogger(KvmDriver.class.getName());
    private static final String IMAGE_PREFIX = "duplex-image-";
    private static final String DISK_SOURCE = "volume:";
    private static final String BOOT_DISK = "vda";
    private static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,80}");
    private static final Pattern TARGET = Pattern.compile("vd[a-z]{1,2}");
    private static final Set<String> IMAGE_KEYS = Set.of("cmdline");
    private static final Set<String> VM_KEYS = Set.of("memory-mib", "vcpus", "firmware", "kernel-args");
    private static final Set<String> VOLUME_KEYS = Set.of("format");

    // libvirt flag values (libvirt-domain.h, libvirt-storage.h)
    private static final int XML_SECURE = 1;
    private static final int XML_INACTIVE = 2;
    private static final int AFFECT_LIVE = 1;
    private static final int AFFECT_CONFIG = 2;
    private static final int METADATA_ELEMENT = 2;
    private static final int UNDEFINE_KEEP_NVRAM = 8;
    private static final int LIST_ACTIVE = 1;
    private static final long PRESS_AGAIN_NANOS = Duration.ofSeconds(2).toNanos();

    private final String endpoint;
    private final Connect connect;
    private final KvmSettings settings;
    private final boolean testHypervisor;
    private final String domainType;
    private final String poolName;
    private final String poolPath;
    private final Capabilities capabilities;
    private final PoolSnapshots snapshots;

    KvmDriver(DriverConfig config, KvmSettings settings, Connect connect) {
        this.endpoint = requireNonNull(config, "config is null").endpoint();
        this.settings = requireNonNull(settings, "settings is null");
        this.connect = requireNonNull(connect, "connect is null");
        String type = call("read the hypervisor type of", new ObjectId(ObjectKind.ENDPOINT, endpoint), connect::getType);
        this.testHypervisor = "TEST".equalsIgnoreCase(type);
        this.domainType = testHypervisor ? "test" : settings.domainType().orElse("qemu");
        StoragePool pool = openPool();
        this.poolName = settings.pool();
        Element target = Xml.child(Xml.parse(call("read storage pool '" + poolName + "' of", new ObjectId(ObjectKind.ENDPOINT, endpoint), () -> pool.getXMLDesc(0)))
                .getDocumentElement(), "target");
        this.poolPath = Xml.childText(target, "path");
        var features = EnumSet.allOf(Capability.class);
        if (testHypervisor) {
            // libvirt's test hypervisor answers VIR_ERR_NO_SUPPORT to attach-device and to volume
            // upload/download, which hot attach, volume copy and the UEFI variable store need.
            features.removeAll(List.of(Capability.HOT_ATTACH, Capability.VOLUME_COPY, Capability.FIRMWARE_STORE));
        }
        // Snapshots are reflink clones: only where libvirt can make them in this pool (checked, not guessed).
        if (!PoolSnapshots.probe(pool)) {
            features.remove(Capability.VOLUME_SNAPSHOT);
        }
        this.capabilities = new Capabilities(features);
        this.snapshots = new PoolSnapshots(endpoint, this::pool, this::runningUserOf);
    }

    @Override
    public String kind() {
        return KvmDriverProvider.KIND;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    // ---------------------------------------------------------------- images

    @Override
    public ImageRef registerImage(ImageSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.IMAGE, spec.name());
        KvmSettings.rejectUnknown(spec.properties(), IMAGE_KEYS, "image '" + spec.name() + "'", object);
        checkName(spec.name(), object);
        if (findDomain(IMAGE_PREFIX + spec.name()).isPresent()) {
            throw new ConflictException("An image named '" + spec.name() + "' is already registered on endpoint '" + endpoint + "'", object);
        }
        String source = spec.source();
        if (source.startsWith(DISK_SOURCE)) {
            return registerDiskImage(spec, object);
        }
        Path folder = Path.of(source);
        String kernel = folder.resolve("vmlinuz").toString();
        String initrd = folder.resolve("initrd.img").toString();
        String cmdline = spec.properties().get("cmdline");
        if (Files.isDirectory(folder)) {
            // The folder is visible here too (a local libvirtd): check it now rather than at first boot.
            for (String file : List.of(kernel, initrd)) {
                if (!Files.isRegularFile(Path.of(file))) {
                    throw new InvalidSpecException("Image source " + source + " has no " + Path.of(file).getFileName()
                            + ": an image source is a folder with vmlinuz, initrd.img and optionally cmdline", object);
                }
            }
            Path cmdlineFile = folder.resolve("cmdline");
            if (cmdline == null && Files.isReadable(cmdlineFile)) {
                cmdline = readString(cmdlineFile, object).strip();
            }
        }
        if (cmdline == null) {
            cmdline = "console=ttyS0";
        }
        var image = new ImageRef(UUID.randomUUID().toString(), spec.name());
        var metadata = new DuplexMetadata(DuplexMetadata.Kind.IMAGE, spec.softwareVersion(), image, source,
                KvmSettings.Firmware.BIOS, List.of(), 0, Map.of());
        var definition = new DomainDefinition(domainType, IMAGE_PREFIX + spec.name(), metadata, settings.memoryMib(),
                settings.vcpus(), Optional.of(new DomainDefinition.Boot(kernel, initrd, cmdline)), Optional.empty(),
                List.of(), Optional.empty());
        define(definition, image.id(), object);
        LOG.log(Level.INFO, "Registered image {0} ({1}) from {2} on {3}", spec.name(), spec.softwareVersion(), source, endpoint);
        return image;
    }

    /**
     * An image whose source is a disk image in a storage pool ({@code volume:<name in the pool>}
     * or {@code volume:<volume key>}): each VM boots from its own qcow2 overlay of it, the base
     * stays untouched and is never deleted by the driver.
     */
    private ImageRef registerDiskImage(ImageSpec spec, ObjectId object) {
        if (spec.properties().containsKey("cmdline")) {
            throw new InvalidSpecException("Property 'cmdline' is for kernel images, not for the disk image " + spec.source(), object);
        }
        StorageVol base = baseVolume(spec.source(), object);
        String key = call("read the key of", object, base::getKey);
        String pool = call("find the pool of", object, () -> base.storagePoolLookupByVolume().getName());
        String name = call("read the name of", object, base::getName);
        var image = new ImageRef(UUID.randomUUID().toString(), spec.name());
        var metadata = new DuplexMetadata(DuplexMetadata.Kind.IMAGE, spec.softwareVersion(), image, DISK_SOURCE + key,
                KvmSettings.Firmware.BIOS, List.of(), 0, Map.of());
        var definition = new DomainDefinition(domainType, IMAGE_PREFIX + spec.name(), metadata, settings.memoryMib(),
                settings.vcpus(), Optional.empty(), Optional.empty(),
                List.of(new DomainDefinition.DiskSpec(pool, name, formatOf(base, object), BOOT_DISK)), Optional.empty());
        define(definition, image.id(), object);
        LOG.log(Level.INFO, "Registered disk image {0} ({1}) from volume {2} on {3}", spec.name(), spec.softwareVersion(), key, endpoint);
        return image;
    }

    private StorageVol baseVolume(String source, ObjectId object) {
        String ref = source.substring(DISK_SOURCE.length());
        try {
            return ref.startsWith("/") ? connect.storageVolLookupByKey(ref) : pool().storageVolLookupByName(ref);
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
                throw new InvalidSpecException("Image source " + source + ": no such volume "
                        + (ref.startsWith("/") ? "" : "in storage pool '" + poolName + "' ") + "on endpoint '" + endpoint + "'", object, e);
            }
            throw LibvirtErrors.translate(e, Context.of(endpoint, "find the disk image " + ref + " for", object));
        }
    }

    /** The VM's own copy-on-write overlay of a disk image's base volume. */
    private DomainDefinition.DiskSpec overlay(String vmName, DuplexMetadata image, ObjectId object) {
        StorageVol base = baseVolume(image.source(), object);
        String basePath = call("read the path of", object, base::getPath);
        String baseFormat = formatOf(base, object);
        long capacity = call("read the size of", object, () -> base.getInfo().capacity);
        String name = VolumeName.overlay(vmName).libvirtName();
        String xml = "<volume><name>" + Xml.escape(name) + "</name><capacity unit='bytes'>" + capacity + "</capacity>"
                + "<target><format type='qcow2'/></target>"
                + "<backingStore><path>" + Xml.escape(basePath) + "</path><format type='" + baseFormat + "'/></backingStore></volume>";
        StoragePool pool = pool();
        deletePoolVolumeQuietly(pool, name); // left by a failed createVm
        run("create the boot disk overlay of " + image.image() + " for", object, () -> pool.storageVolCreateXML(xml, 0));
        return new DomainDefinition.DiskSpec(poolName, name, "qcow2", BOOT_DISK);
    }

    @Override
    public List<ImageInfo> listImages() {
        var out = new ArrayList<ImageInfo>();
        for (Described d : describeAll()) {
            if (d.metadata().kind() == DuplexMetadata.Kind.IMAGE) {
                out.add(new ImageInfo(d.metadata().image(), d.metadata().softwareVersion()));
            }
        }
        return out;
    }

    @Override
    public void deleteImage(ImageRef image) {
        ObjectId object = ObjectId.of(image);
        Domain domain = image(image);
        List<String> users = describeAll().stream()
                .filter(d -> d.metadata().kind() == DuplexMetadata.Kind.VM && d.metadata().image().id().equals(image.id()))
                .map(Described::name)
                .toList();
        if (!users.isEmpty()) {
            throw new ConflictException("Image " + image + " is used by VM(s) " + String.join(", ", users)
                    + " on endpoint '" + endpoint + "'; delete them first", object);
        }
        run("delete", object, domain::undefine);
    }

    // ---------------------------------------------------------------- volumes

    @Override
    public VolumeRef createVolume(VolumeSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.VOLUME, spec.name());
        KvmSettings.rejectUnknown(spec.properties(), VOLUME_KEYS, "volume '" + spec.name() + "'", object);
        if (!VolumeName.NAME.matcher(spec.name()).matches()) {
            throw new InvalidSpecException("Invalid volume name '" + spec.name() + "': use letters, digits, '.', '_', '+', '-'", object);
        }
        if (!VolumeName.PURPOSE.matcher(spec.purpose()).matches() || spec.purpose().startsWith("vm-")) {
            throw new InvalidSpecException("Invalid volume purpose '" + spec.purpose()
                    + "': use lower-case letters, digits and '-', not starting with 'vm-'", object);
        }
        String format = spec.properties().getOrDefault("format", "raw");
        if (!format.equals("raw") && !format.equals("qcow2")) {
            throw new InvalidSpecException("Invalid volume format '" + format + "': expected raw or qcow2", object);
        }
        if (listVolumes().stream().anyMatch(v -> v.volume().name().equals(spec.name()))) {
            throw new ConflictException("A volume named '" + spec.name() + "' already exists in storage pool '" + poolName
                    + "' on endpoint '" + endpoint + "'", object);
        }
        String name = VolumeName.external(spec.name(), spec.purpose(), format).libvirtName();
        StorageVol volume = createPoolVolume(name, spec.sizeBytes(), format, object);
        return new VolumeRef(call("read the key of", object, volume::getKey), spec.name());
    }

    @Override
    public List<VolumeInfo> listVolumes() {
        StoragePool pool = pool();
        ObjectId object = new ObjectId(ObjectKind.ENDPOINT, endpoint);
        run("refresh storage pool '" + poolName + "' of", object, () -> pool.refresh(0));
        var out = new ArrayList<VolumeInfo>();
        for (String name : call("list the volumes of storage pool '" + poolName + "' of", object, pool::listVolumes)) {
            VolumeName parsed = VolumeName.parse(name);
            if (parsed.vmOwned()) {
                continue;
            }
            try {
                StorageVol volume = pool.storageVolLookupByName(name);
                out.add(new VolumeInfo(new VolumeRef(volume.getKey(), parsed.name()), volume.getInfo().capacity, parsed.purpose()));
            } catch (LibvirtException e) {
                if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) { // deleted meanwhile
                    throw LibvirtErrors.translate(e, Context.of(endpoint, "read volume '" + name + "'", object));
                }
            }
        }
        return out;
    }

    @Override
    public void deleteVolume(VolumeRef volume) {
        ObjectId object = ObjectId.of(volume);
        StorageVol vol = volume(volume);
        List<String> images = describeAll().stream()
                .filter(d -> d.metadata().kind() == DuplexMetadata.Kind.IMAGE && d.metadata().source().equals(DISK_SOURCE + volume.id()))
                .map(d -> d.metadata().image().name())
                .toList();
        if (!images.isEmpty()) {
            throw new ConflictException("Volume " + volume + " is the disk of image(s) " + String.join(", ", images)
                    + " on endpoint '" + endpoint + "'; delete them first", object);
        }
        List<String> users = linkersOf(volume);
        if (!users.isEmpty()) {
            throw new ConflictException("Volume " + volume + " is linked to VM(s) " + String.join(", ", users)
                    + " on endpoint '" + endpoint + "'; delete them or their links first", object);
        }
        run("delete", object, () -> vol.delete(0));
    }

    @Override
    public long copyVolume(VolumeRef from, VolumeRef to, CopyProgress progress) {
        requireCapability(Capability.VOLUME_COPY, "volume copy");
        StorageVol source = volume(from);
        StorageVol target = volume(to);
        ObjectId object = ObjectId.of(to);
        long sourceSize = call("read the size of", ObjectId.of(from), () -> source.getInfo().capacity);
        long targetSize = call("read the size of", object, () -> target.getInfo().capacity);
        if (targetSize < sourceSize) {
            throw new InvalidSpecException("Volume " + to + " (" + targetSize + " bytes) is smaller than " + from
                    + " (" + sourceSize + " bytes); cannot copy", object);
        }
        Optional<String> runner = runningUserOf(to);
        if (runner.isPresent()) {
            throw new ConflictException("Volume " + to + " is in use by running VM " + runner.get() + "; cannot copy into it", object);
        }
        return LibvirtErrors.call(Context.optional(endpoint, "copy " + from + " into", object, "volume copy"),
                () -> VolumeStreams.copy(connect, source, target, progress));
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public VolumeSnapshot snapshotVolume(VolumeRef volume, String name) {
        requireCapability(Capability.VOLUME_SNAPSHOT, "volume snapshot");
        return snapshots.take(volume, name);
    }

    @Override
    public List<VolumeSnapshot> listSnapshots(VolumeRef volume) {
        requireCapability(Capability.VOLUME_SNAPSHOT, "volume snapshot");
        return snapshots.list(volume);
    }

    @Override
    public void restoreSnapshot(VolumeSnapshot snapshot) {
        requireCapability(Capability.VOLUME_SNAPSHOT, "volume snapshot");
        snapshots.restore(snapshot);
    }

    @Override
    public void deleteSnapshot(VolumeSnapshot snapshot) {
        requireCapability(Capability.VOLUME_SNAPSHOT, "volume snapshot");
        snapshots.delete(snapshot);
    }

    // ---------------------------------------------------------------- VMs

    @Override
    public VmRef createVm(VmSpec spec) {
        ObjectId object = new ObjectId(ObjectKind.VM, spec.name());
        KvmSettings.rejectUnknown(spec.properties(), VM_KEYS, "VM '" + spec.name() + "'", object);
        checkName(spec.name(), object);
        if (spec.name().startsWith(IMAGE_PREFIX)) {
            throw new InvalidSpecException("VM names must not start with '" + IMAGE_PREFIX + "': " + spec.name(), object);
        }
        if (findDomain(spec.name()).isPresent()) {
            throw new ConflictException("A domain named '" + spec.name() + "' already exists on endpoint '" + endpoint + "'", object);
        }
        Domain imageDomain = image(spec.image());
        DomainDocument imageXml = xml(imageDomain, ObjectId.of(spec.image()));
        DuplexMetadata imageMeta = imageXml.metadata().orElseThrow();
        int memory = KvmSettings.positiveInt(spec.properties(), "memory-mib", settings.memoryMib(), object);
        int vcpus = KvmSettings.positiveInt(spec.properties(), "vcpus", settings.vcpus(), object);
        KvmSettings.Firmware firmware = spec.properties().containsKey("firmware")
                ? KvmSettings.Firmware.parse(spec.properties().get("firmware"), "firmware", object)
                : settings.firmware();

        boolean diskImage = imageMeta.source().startsWith(DISK_SOURCE);
        var links = new ArrayList<DuplexMetadata.Link>();
        var disks = new ArrayList<DomainDefinition.DiskSpec>();
        for (VolumeLink link : spec.links()) {
            if (diskImage && link.mountPath().equals(BOOT_DISK)) {
                throw new InvalidSpecException("Mount path " + BOOT_DISK + " of the link to " + link.volume()
                        + " is the boot disk of image " + spec.image() + "; use vdb or later", object);
            }
            if (!TARGET.matcher(link.mountPath()).matches()) {
                throw new InvalidSpecException("Invalid mount path '" + link.mountPath() + "' for the link to " + link.volume()
                        + ": the KVM driver wants a virtio disk target such as vdb", object);
            }
            StorageVol volume = volume(link.volume());
            String format = formatOf(volume, ObjectId.of(link.volume()));
            if (link.mode() == VolumeLink.Mode.MOUNT_AT_BOOT) {
                String pool = call("find the pool of", ObjectId.of(link.volume()), () -> volume.storagePoolLookupByVolume().getName());
                String name = call("read the name of", ObjectId.of(link.volume()), volume::getName);
                disks.add(new DomainDefinition.DiskSpec(pool, name, format, link.mountPath()));
                links.add(new DuplexMetadata.Link(link, Optional.empty()));
            } else {
                String copy = VolumeName.copyAtBoot(spec.name(), link.mountPath(), format).libvirtName();
                disks.add(new DomainDefinition.DiskSpec(poolName, copy, format, link.mountPath()));
                links.add(new DuplexMetadata.Link(link, Optional.of(copy)));
            }
        }

        var vm = new VmRef(UUID.randomUUID().toString(), spec.name());
        Optional<DomainDefinition.Uefi> uefi = Optional.empty();
        StorageVol nvram = null;
        if (firmware == KvmSettings.Firmware.UEFI) {
            requireCapability(Capability.FIRMWARE_STORE, "UEFI firmware");
            nvram = createNvram(spec.name(), 0, readTemplate(object), object);
            StorageVol created = nvram;
            uefi = Optional.of(new DomainDefinition.Uefi(settings.ovmfCode(),
                    call("read the path of the UEFI variable store of", object, created::getPath), settings.ovmfVars()));
        }
        String kernelArgs = spec.properties().get("kernel-args");
        Optional<DomainDefinition.Boot> boot = Optional.empty();
        if (diskImage) {
            if (kernelArgs != null) {
                throw new InvalidSpecException("Property 'kernel-args' is for kernel images; image " + spec.image() + " boots from disk", object);
            }
        } else {
            Element os = Xml.child(Xml.parse(imageXml.xml()).getDocumentElement(), "os");
            String cmdline = Xml.childText(os, "cmdline") + (kernelArgs == null ? "" : " " + kernelArgs);
            boot = Optional.of(new DomainDefinition.Boot(Xml.childText(os, "kernel"), Xml.childText(os, "initrd"), cmdline.strip()));
        }
        var metadata = new DuplexMetadata(DuplexMetadata.Kind.VM, imageMeta.softwareVersion(), imageMeta.image(),
                imageMeta.source(), firmware, links, 0, Map.of());
        try {
            if (diskImage) {
                disks.add(0, overlay(spec.name(), imageMeta, object));
            }
            var definition = new DomainDefinition(domainType, spec.name(), metadata, memory, vcpus, boot, uefi, disks,
                    Optional.of(poolPath + "/" + VolumeName.serialLog(spec.name()).libvirtName()));
            define(definition, vm.id(), object);
        } catch (RuntimeException e) {
            if (nvram != null) {
                deleteQuietly(nvram);
            }
            if (diskImage) {
                deletePoolVolumeQuietly(pool(), VolumeName.overlay(spec.name()).libvirtName());
            }
            throw e;
        }
        LOG.log(Level.INFO, "Created VM {0} from image {1} with {2} link(s) on {3}", spec.name(), spec.image(), links.size(), endpoint);
        return vm;
    }

    @Override
    public List<VmInfo> listVms() {
        var out = new ArrayList<VmInfo>();
        for (Described d : describeAll()) {
            if (d.metadata().kind() == DuplexMetadata.Kind.VM) {
                out.add(new VmInfo(new VmRef(d.uuid(), d.name()), d.metadata().image(), d.state(), d.metadata().volumeLinks()));
            }
        }
        return out;
    }

    /** libvirt looks a domain up by its name: no listing of every domain and its XML, as a fleet's steps ask once each. */
    @Override
    public Optional<VmInfo> findVm(String name) {
        requireNonNull(name, "name is null");
        Optional<Domain> domain = findDomain(name);
        if (domain.isEmpty()) {
            return Optional.empty();
        }
        ObjectId object = new ObjectId(ObjectKind.VM, name);
        try {
            String uuid = call("read the id of", object, () -> domain.get().getUUIDString());
            return Optional.of(describeVm(new VmRef(uuid, name)));
        } catch (ObjectNotFoundException notOurs) {
            return Optional.empty(); // not a Duplex VM (an image, another tool's domain), or undefined meanwhile
        }
    }

    @Override
    public VmInfo describeVm(VmRef vm) {
        Domain domain = domain(vm);
        DomainDocument xml = xml(domain, ObjectId.of(vm));
        DuplexMetadata meta = xml.metadata().orElseThrow();
        return new VmInfo(new VmRef(vm.id(), xml.name()), meta.image(), state(domain, ObjectId.of(vm)), meta.volumeLinks());
    }

    @Override
    public VmState state(VmRef vm) {
        return state(domain(vm), ObjectId.of(vm));
    }

    @Override
    public BootReport start(VmRef vm) {
        ObjectId object = ObjectId.of(vm);
        Domain domain = domain(vm);
        if (call("read the state of", object, domain::isActive) == 1) {
            throw new ConflictException("VM " + vm + " is already running on endpoint '" + endpoint + "'", object);
        }
        DuplexMetadata meta = xml(domain, object).metadata().orElseThrow();
        for (DuplexMetadata.Link link : meta.links()) {
            Optional<String> runner = runningUserOf(link.link().volume());
            if (runner.isPresent()) {
                throw new ConflictException("Volume " + link.link().volume() + " linked at " + link.link().mountPath()
                        + " is in use by running VM " + runner.get() + "; stop it first", ObjectId.of(link.link().volume()));
            }
        }
        long copied = 0;
        long began = System.nanoTime();
        for (DuplexMetadata.Link link : meta.links()) {
            if (link.copyVolume().isPresent()) {
                copied += copyAtBoot(vm, link.link(), link.copyVolume().get());
            }
        }
        Duration copyTime = copied == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - began);
        run("start", object, domain::create);
        LOG.log(Level.INFO, "Started VM {0} on {1} ({2} bytes copied at boot)", vm, endpoint, copied);
        return new BootReport(vm, copied, copyTime);
    }

    @Override
    public void stop(VmRef vm, dev.duplex.api.StopMode mode) {
        ObjectId object = ObjectId.of(vm);
        Domain domain = domain(vm);
        if (!active(domain, object)) {
            return;
        }
        if (mode == dev.duplex.api.StopMode.GRACEFUL) {
            try {
                domain.shutdown();
                long began = System.nanoTime();
                long deadline = began + settings.stopGraceMillis() * 1_000_000L;
                long nextPress = began + PRESS_AGAIN_NANOS;
                while (System.nanoTime() < deadline) {
                    if (!active(domain, object)) {
                        return;
                    }
                    if (System.nanoTime() > nextPress) {
                        // A guest still booting misses an ACPI power button press (its button
                        // driver is not loaded yet): press again until it listens.
                        domain.shutdown();
                        nextPress = System.nanoTime() + PRESS_AGAIN_NANOS;
                    }
                    sleep(100);
                }
                LOG.log(Level.WARNING, "VM {0} did not shut down within {1} ms; forcing it off", vm, settings.stopGraceMillis());
            } catch (LibvirtException e) {
                if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_OPERATION_INVALID)) { // it stopped meanwhile
                    throw LibvirtErrors.translate(e, Context.of(endpoint, "shut down", object));
                }
            }
        }
        try {
            domain.destroy();
        } catch (LibvirtException e) {
            if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_OPERATION_INVALID)) { // not running: already stopped
                throw LibvirtErrors.translate(e, Context.of(endpoint, "power off", object));
            }
        }
    }

    @Override
    public void deleteVm(VmRef vm) {
        ObjectId object = ObjectId.of(vm);
        Domain domain = domain(vm);
        if (active(domain, object)) {
            throw new ConflictException("VM " + vm + " is running on endpoint '" + endpoint + "'; stop it before deleting it", object);
        }
        DomainDocument xml = xml(domain, object);
        DuplexMetadata meta = xml.metadata().orElseThrow();
        Optional<String> nvram = xml.nvramPath();
        run("delete", object, () -> domain.undefine(nvram.isPresent() ? UNDEFINE_KEEP_NVRAM : 0));
        // What the VM owned goes with it; linked volumes never do.
        StoragePool pool = pool();
        refreshQuietly(pool);
        for (DuplexMetadata.Link link : meta.links()) {
            link.copyVolume().ifPresent(copy -> deletePoolVolumeQuietly(pool, copy));
        }
        nvram.ifPresent(path -> deleteNvramGenerations(pool, xml.name()));
        if (meta.source().startsWith(DISK_SOURCE)) {
            deletePoolVolumeQuietly(pool, VolumeName.overlay(xml.name()).libvirtName());
        }
        deletePoolVolumeQuietly(pool, VolumeName.serialLog(xml.name()).libvirtName());
        LOG.log(Level.INFO, "Deleted VM {0} on {1}; its {2} linked volume(s) are kept", vm, endpoint, meta.links().size());
    }

    @Override
    public void attachVolume(VmRef vm, VolumeLink link) {
        requireCapability(Capability.HOT_ATTACH, "hot attach");
        ObjectId object = ObjectId.of(vm);
        if (link.mode() != VolumeLink.Mode.MOUNT_AT_BOOT) {
            throw new InvalidSpecException("Only a mount-at-boot link can be attached to a running VM, not " + link, object);
        }
        if (!TARGET.matcher(link.mountPath()).matches()) {
            throw new InvalidSpecException("Invalid mount path '" + link.mountPath() + "': the KVM driver wants a virtio disk target such as vdb", object);
        }
        Domain domain = domain(vm);
        DuplexMetadata meta = xml(domain, object).metadata().orElseThrow();
        if (meta.links().stream().anyMatch(l -> l.link().mountPath().equals(link.mountPath()))) {
            throw new ConflictException("VM " + vm + " already has a link at " + link.mountPath(), object);
        }
        Optional<String> runner = runningUserOf(link.volume());
        if (runner.isPresent()) {
            throw new ConflictException("Volume " + link.volume() + " is in use by running VM " + runner.get(), ObjectId.of(link.volume()));
        }
        StorageVol volume = volume(link.volume());
        String format = formatOf(volume, ObjectId.of(link.volume()));
        String pool = call("find the pool of", ObjectId.of(link.volume()), () -> volume.storagePoolLookupByVolume().getName());
        String name = call("read the name of", ObjectId.of(link.volume()), volume::getName);
        String disk = new DomainDefinition.DiskSpec(pool, name, format, link.mountPath()).xml();
        int flags = active(domain, object) ? AFFECT_LIVE | AFFECT_CONFIG : AFFECT_CONFIG;
        LibvirtErrors.run(Context.optional(endpoint, "attach " + link.volume() + " to", object, "hot attach"),
                () -> domain.attachDeviceFlags(disk, flags));
        var links = new ArrayList<>(meta.links());
        links.add(new DuplexMetadata.Link(link, Optional.empty()));
        writeMetadata(domain, meta.withLinks(links), object);
    }

    @Override
    public void detachVolume(VmRef vm, VolumeRef volume) {
        requireCapability(Capability.HOT_ATTACH, "hot detach");
        ObjectId object = ObjectId.of(vm);
        Domain domain = domain(vm);
        DomainDocument live = xml(domain, object);
        DuplexMetadata meta = live.metadata().orElseThrow();
        DuplexMetadata.Link link = meta.links().stream()
                .filter(l -> l.link().volume().id().equals(volume.id()))
                .findFirst()
                .orElseThrow(() -> new ObjectNotFoundException(new ObjectId(ObjectKind.VOLUME, volume + " linked to VM " + vm)));
        DomainDocument.Disk disk = live.disks().stream()
                .filter(d -> d.target().equals(link.link().mountPath()))
                .findFirst()
                .orElseThrow(() -> new ObjectNotFoundException(new ObjectId(ObjectKind.VOLUME, volume + " at " + link.link().mountPath())));
        boolean running = active(domain, object);
        int flags = running ? AFFECT_LIVE | AFFECT_CONFIG : AFFECT_CONFIG;
        LibvirtErrors.run(Context.optional(endpoint, "detach " + volume + " from", object, "hot detach"),
                () -> domain.detachDeviceFlags(disk.xml(), flags));
        if (running) {
            // The guest acknowledges an unplug asynchronously (ACPI PCI hot-plug); a guest still
            // booting misses the request, so it is repeated (QEMU allows repeating it) until the
            // guest releases the disk.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long nextRequest = System.nanoTime() + PRESS_AGAIN_NANOS;
            while (xml(domain, object).disks().stream().anyMatch(d -> d.target().equals(disk.target()))) {
                if (System.nanoTime() > deadline) {
                    throw new ConflictException("The guest of VM " + vm + " did not release " + disk.target()
                            + " within 60 s; libvirt will detach it when the guest acknowledges", object);
                }
                if (System.nanoTime() > nextRequest) {
                    try {
                        domain.detachDeviceFlags(disk.xml(), AFFECT_LIVE);
                    } catch (LibvirtException e) {
                        LOG.log(Level.DEBUG, "Repeated unplug request for {0} of {1}: {2}", disk.target(), vm, LibvirtErrors.describe(e));
                    }
                    nextRequest = System.nanoTime() + PRESS_AGAIN_NANOS;
                }
                sleep(100);
            }
        }
        var links = new ArrayList<>(meta.links());
        links.remove(link);
        writeMetadata(domain, meta.withLinks(links), object);
    }

    @Override
    public EnvironmentStore environment(VmRef vm) {
        requireCapability(Capability.ENVIRONMENT_STORE, "environment store");
        domain(vm);
        return new KvmEnvironmentStore(this, vm);
    }

    /** The file the VM's serial console writes to on the libvirt host (under the pool's folder). */
    public Optional<Path> serialLog(VmRef vm) {
        return xml(domain(vm), ObjectId.of(vm)).serialLog().map(Path::of);
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.log(Level.DEBUG, "Closing the connection to {0} failed: {1}", endpoint, LibvirtErrors.describe(e));
        }
    }

    // ---------------------------------------------------------------- environment store support

    /** The VM's persistent (inactive) definition, for reading and rewriting its environment. */
    DomainDocument persistentXml(VmRef vm) {
        Domain domain = domain(vm);
        return DomainDocument.parse(call("read the definition of", ObjectId.of(vm), () -> domain.getXMLDesc(XML_INACTIVE | XML_SECURE)));
    }

    boolean running(VmRef vm) {
        return active(domain(vm), ObjectId.of(vm));
    }

    byte[] readNvram(String path, ObjectId object) {
        return call("read the UEFI variable store of", object, () -> VolumeStreams.download(connect, connect.storageVolLookupByPath(path)));
    }

    /** Writes a new generation of a VM's UEFI variable store as a fresh pool volume; returns its path. */
    String writeNvramGeneration(String vmName, long generation, byte[] content, ObjectId object) {
        StoragePool pool = pool();
        deletePoolVolumeQuietly(pool, VolumeName.nvram(vmName, generation).libvirtName()); // a leftover of an interrupted write
        StorageVol volume = createNvram(vmName, generation, content, object);
        return call("read the path of the UEFI variable store of", object, volume::getPath);
    }

    void deleteNvramPath(String path) {
        try {
            connect.storageVolLookupByPath(path).delete(0);
        } catch (LibvirtException e) {
            LOG.log(Level.DEBUG, "Could not delete old UEFI variable store {0}: {1}", path, LibvirtErrors.describe(e));
        }
    }

    /** Redefines the VM from {@code xml}: the single step that commits an environment write. */
    void redefine(DomainDocument xml, ObjectId object) {
        run("rewrite the definition of", object, () -> connect.domainDefineXML(xml.xml()));
    }

    static long nvramGeneration(String path) {
        VolumeName name = VolumeName.parse(Path.of(path).getFileName().toString());
        int g = name.name().lastIndexOf("-g");
        try {
            return g < 0 ? 0 : Long.parseLong(name.name().substring(g + 2));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The size in bytes of the UEFI variable store at {@code path}. */
    long nvramSize(String path, ObjectId object) {
        return call("read the size of the UEFI variable store of", object, () -> connect.storageVolLookupByPath(path).getInfo().capacity);
    }

    /**
     * Writes a new generation of a VM's UEFI variable store as a server-side clone of the
     * generation at {@code current} with {@code runs} uploaded over it, each by a ranged upload;
     * returns its path. The generation at {@code current} is not touched.
     */
    String patchNvramGeneration(String vmName, long generation, String current, List<dev.duplex.api.BytePatch> runs, ObjectId object) {
        StoragePool pool = pool();
        String name = VolumeName.nvram(vmName, generation).libvirtName();
        deletePoolVolumeQuietly(pool, name); // a leftover of an interrupted write
        StorageVol from = call("find the UEFI variable store of", object, () -> connect.storageVolLookupByPath(current));
        long capacity = call("read the size of the UEFI variable store of", object, () -> from.getInfo().capacity);
        String xml = "<volume><name>" + Xml.escape(name) + "</name><capacity unit='bytes'>" + capacity + "</capacity>"
                + "<target><format type='raw'/></target></volume>";
        StorageVol volume = call("clone the UEFI variable store of", object, () -> pool.storageVolCreateXMLFrom(xml, from, 0));
        try {
            for (dev.duplex.api.BytePatch run : runs) {
                LibvirtErrors.run(Context.optional(endpoint, "write the UEFI variable store of", object, "UEFI variable store upload"),
                        () -> VolumeStreams.uploadRange(connect, volume, run.offset(), run.bytes()));
            }
            return call("read the path of the UEFI variable store of", object, volume::getPath);
        } catch (RuntimeException e) {
            deleteQuietly(volume);
            throw e;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A domain with its parsed definition, for listing. */
    private record Described(String uuid, String name, DuplexMetadata metadata, VmState state) {}

    private List<Described> describeAll() {
        ObjectId object = new ObjectId(ObjectKind.ENDPOINT, endpoint);
        Domain[] domains = call("list the domains of", object, () -> connect.listAllDomains(0));
        var out = new ArrayList<Described>();
        for (Domain domain : domains) {
            try {
                DomainDocument xml = DomainDocument.parse(domain.getXMLDesc(0));
                Optional<DuplexMetadata> meta = xml.metadata();
                if (meta.isPresent()) {
                    out.add(new Described(xml.uuid(), xml.name(), meta.get(), state(domain.getInfo().state)));
                }
            } catch (LibvirtException e) {
                if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) { // undefined meanwhile
                    throw LibvirtErrors.translate(e, Context.of(endpoint, "read a domain of", object));
                }
            }
        }
        return out;
    }

    private StoragePool openPool() {
        ObjectId object = new ObjectId(ObjectKind.ENDPOINT, endpoint);
        StoragePool pool;
        try {
            pool = connect.storagePoolLookupByName(settings.pool());
        } catch (LibvirtException e) {
            if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_STORAGE_POOL)) {
                throw LibvirtErrors.translate(e, Context.of(endpoint, "find storage pool '" + settings.pool() + "' of", object));
            }
            if (settings.poolPath().isEmpty()) {
                throw new InvalidSpecException("Storage pool '" + settings.pool() + "' does not exist on endpoint '" + endpoint
                        + "': create it (virsh pool-define-as " + settings.pool() + " dir --target PATH) or set the endpoint property pool-path",
                        object, e);
            }
            String xml = "<pool type='dir'><name>" + Xml.escape(settings.pool()) + "</name><target><path>"
                    + Xml.escape(settings.poolPath().get()) + "</path></target></pool>";
            pool = call("create storage pool '" + settings.pool() + "' on", object, () -> connect.storagePoolDefineXML(xml, 0));
            StoragePool created = pool;
            run("build storage pool '" + settings.pool() + "' on", object, () -> created.build(0));
            run("mark storage pool '" + settings.pool() + "' autostart on", object, () -> created.setAutostart(1));
            LOG.log(Level.INFO, "Created storage pool {0} at {1} on {2}", settings.pool(), settings.poolPath().get(), endpoint);
        }
        StoragePool found = pool;
        if (call("read the state of storage pool '" + settings.pool() + "' of", object, found::isActive) != 1) {
            run("start storage pool '" + settings.pool() + "' of", object, () -> found.create(0));
        }
        return found;
    }

    private StoragePool pool() {
        return call("find storage pool '" + poolName + "' of", new ObjectId(ObjectKind.ENDPOINT, endpoint),
                () -> connect.storagePoolLookupByName(poolName));
    }

    private StorageVol createPoolVolume(String name, long size, String format, ObjectId object) {
        String xml = "<volume><name>" + Xml.escape(name) + "</name>"
                + "<capacity unit='bytes'>" + size + "</capacity><allocation unit='bytes'>0</allocation>"
                + "<target><format type='" + Xml.escape(format) + "'/></target></volume>";
        StoragePool pool = pool();
        return call("create", object, () -> pool.storageVolCreateXML(xml, 0));
    }

    private StorageVol createNvram(String vmName, long generation, byte[] content, ObjectId object) {
        StorageVol volume = createPoolVolume(VolumeName.nvram(vmName, generation).libvirtName(), content.length, "raw", object);
        try {
            LibvirtErrors.run(Context.optional(endpoint, "write the UEFI variable store of", object, "UEFI variable store upload"),
                    () -> VolumeStreams.upload(connect, volume, content));
        } catch (RuntimeException e) {
            deleteQuietly(volume);
            throw e;
        }
        return volume;
    }

    private byte[] readTemplate(ObjectId object) {
        Path template = Path.of(settings.ovmfVars());
        if (!Files.isReadable(template)) {
            throw new InvalidSpecException("The UEFI variable store template " + template + " is not readable here; install Debian's ovmf"
                    + " package or set the endpoint property ovmf-vars", object);
        }
        try {
            return Files.readAllBytes(template);
        } catch (java.io.IOException e) {
            throw new InvalidSpecException("Could not read the UEFI variable store template " + template + ": " + e.getMessage(), object, e);
        }
    }

    private long copyAtBoot(VmRef vm, VolumeLink link, String copyName) {
        ObjectId object = ObjectId.of(link.volume());
        StorageVol source = volume(link.volume());
        StoragePool pool = pool();
        deletePoolVolumeQuietly(pool, copyName); // the copy of the previous boot: copy at boot copies afresh
        String format = formatOf(source, object);
        long capacity = call("read the size of", object, () -> source.getInfo().capacity);
        String xml = "<volume><name>" + Xml.escape(copyName) + "</name><capacity unit='bytes'>" + capacity + "</capacity>"
                + "<target><format type='" + Xml.escape(format) + "'/></target></volume>";
        run("copy " + link.volume() + " at boot of VM " + vm + " from", object, () -> pool.storageVolCreateXMLFrom(xml, source, 0));
        return capacity;
    }

    private String formatOf(StorageVol volume, ObjectId object) {
        Element target = Xml.child(Xml.parse(call("read", object, () -> volume.getXMLDesc(0))).getDocumentElement(), "target");
        Element format = Xml.child(target, "format");
        String type = format == null ? "" : format.getAttribute("type");
        return type.equals("qcow2") ? "qcow2" : "raw";
    }

    /** VMs whose metadata links to the volume. */
    private List<String> linkersOf(VolumeRef volume) {
        return describeAll().stream()
                .filter(d -> d.metadata().kind() == DuplexMetadata.Kind.VM)
                .filter(d -> d.metadata().links().stream().anyMatch(l -> l.link().volume().id().equals(volume.id())))
                .map(Described::name)
                .toList();
    }

    /** A running domain whose disks use the volume (linked in place), if any. */
    private Optional<String> runningUserOf(VolumeRef volume) {
        StorageVol vol = volume(volume);
        ObjectId object = ObjectId.of(volume);
        String path = call("read the path of", object, vol::getPath);
        String name = call("read the name of", object, vol::getName);
        String pool = call("find the pool of", object, () -> vol.storagePoolLookupByVolume().getName());
        Domain[] running = call("list the running domains of", new ObjectId(ObjectKind.ENDPOINT, endpoint),
                () -> connect.listAllDomains(LIST_ACTIVE));
        for (Domain domain : running) {
            try {
                DomainDocument xml = DomainDocument.parse(domain.getXMLDesc(0));
                for (DomainDocument.Disk disk : xml.disks()) {
                    if (disk.file().equals(path) || (disk.pool().equals(pool) && disk.volume().equals(name))) {
                        return Optional.of(xml.name());
                    }
                }
            } catch (LibvirtException e) {
                // stopped or undefined meanwhile: not a user
            }
        }
        return Optional.empty();
    }

    private Optional<Domain> findDomain(String name) {
        try {
            return Optional.of(connect.domainLookupByName(name));
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
                return Optional.empty();
            }
            throw LibvirtErrors.translate(e, Context.of(endpoint, "look up domain '" + name + "' of", new ObjectId(ObjectKind.ENDPOINT, endpoint)));
        }
    }

    private Domain domain(VmRef vm) {
        return duplexDomain(vm.id(), ObjectId.of(vm), DuplexMetadata.Kind.VM);
    }

    private Domain image(ImageRef image) {
        return duplexDomain(image.id(), ObjectId.of(image), DuplexMetadata.Kind.IMAGE);
    }

    private Domain duplexDomain(String id, ObjectId object, DuplexMetadata.Kind kind) {
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new ObjectNotFoundException(object);
        }
        Domain domain = call("find", object, () -> connect.domainLookupByUUIDString(id));
        Optional<DuplexMetadata> meta = xml(domain, object).metadata();
        if (meta.isEmpty() || meta.get().kind() != kind) {
            throw new ObjectNotFoundException(object);
        }
        return domain;
    }

    private StorageVol volume(VolumeRef volume) {
        return call("find", ObjectId.of(volume), () -> connect.storageVolLookupByKey(volume.id()));
    }

    private DomainDocument xml(Domain domain, ObjectId object) {
        return DomainDocument.parse(call("read the definition of", object, () -> domain.getXMLDesc(0)));
    }

    private void define(DomainDefinition definition, String uuid, ObjectId object) {
        String xml = definition.xml().replaceFirst("</name>", "</name><uuid>" + uuid + "</uuid>");
        run("define", object, () -> connect.domainDefineXML(xml));
    }

    private void writeMetadata(Domain domain, DuplexMetadata meta, ObjectId object) {
        int flags = active(domain, object) ? AFFECT_LIVE | AFFECT_CONFIG : AFFECT_CONFIG;
        run("record the links of", object,
                () -> domain.setMetadata(METADATA_ELEMENT, meta.toFragment(), DuplexMetadata.PREFIX, DuplexMetadata.NAMESPACE, flags));
    }

    private boolean active(Domain domain, ObjectId object) {
        return call("read the state of", object, domain::isActive) == 1;
    }

    private VmState state(Domain domain, ObjectId object) {
        return state(call("read the state of", object, domain::getInfo).state);
    }

    private static VmState state(DomainInfo.DomainState state) {
        if (state == null) {
            return VmState.STARTING;
        }
        return switch (state) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> VmState.RUNNING;
            case VIR_DOMAIN_SHUTDOWN -> VmState.STOPPING;
            case VIR_DOMAIN_SHUTOFF -> VmState.STOPPED;
            case VIR_DOMAIN_CRASHED -> VmState.CRASHED;
            case VIR_DOMAIN_NOSTATE -> VmState.STARTING;
        };
    }

    private void requireCapability(Capability capability, String operation) {
        if (!capabilities.supports(capability)) {
            throw new UnsupportedOperationDriverException(KvmDriverProvider.KIND, operation);
        }
    }

    private void checkName(String name, ObjectId object) {
        if (!DOMAIN_NAME.matcher(name).matches()) {
            throw new InvalidSpecException("Invalid name '" + name + "': use letters, digits, '.', '_', '+', '-' (at most 81)", object);
        }
    }

    private void deleteNvramGenerations(StoragePool pool, String vmName) {
        try {
            Pattern mine = Pattern.compile(Pattern.quote(vmName) + "-g\\d+");
            for (String name : pool.listVolumes()) {
                VolumeName parsed = VolumeName.parse(name);
                if (parsed.purpose().equals("vm-nvram") && mine.matcher(parsed.name()).matches()) {
                    deletePoolVolumeQuietly(pool, name);
                }
            }
        } catch (LibvirtException e) {
            LOG.log(Level.WARNING, "Could not list the UEFI variable stores of {0} to delete them: {1}", vmName, LibvirtErrors.describe(e));
        }
    }

    private void deletePoolVolumeQuietly(StoragePool pool, String name) {
        try {
            pool.storageVolLookupByName(name).delete(0);
        } catch (LibvirtException e) {
            if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
                LOG.log(Level.WARNING, "Could not delete volume {0} of pool {1}: {2}", name, poolName, LibvirtErrors.describe(e));
            }
        }
    }

    private void deleteQuietly(StorageVol volume) {
        try {
            volume.delete(0);
        } catch (LibvirtException e) {
            LOG.log(Level.WARNING, "Could not delete a volume left by a failed operation: {0}", LibvirtErrors.describe(e));
        }
    }

    private void refreshQuietly(StoragePool pool) {
        try {
            pool.refresh(0);
        } catch (LibvirtException e) {
            LOG.log(Level.DEBUG, "Could not refresh pool {0}: {1}", poolName, LibvirtErrors.describe(e));
        }
    }

    private String readString(Path file, ObjectId object) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new InvalidSpecException("Could not read " + file + ": " + e.getMessage(), object, e);
        }
    }

    private <T> T call(String action, ObjectId object, LibvirtErrors.Call<T> call) {
        return LibvirtErrors.call(Context.of(endpoint, action, object), call);
    }

    private void run(String action, ObjectId object, LibvirtErrors.Action action2) {
        LibvirtErrors.run(Context.of(endpoint, action, object), action2);
    }

    String endpoint() {
        return endpoint;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for libvirt", e);
        }
    }

    static <K, V> Map<K, V> ordered(Map<K, V> map) {
        return new LinkedHashMap<>(map);
    }
}
