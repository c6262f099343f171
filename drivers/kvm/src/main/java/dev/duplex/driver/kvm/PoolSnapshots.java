package dev.duplex.driver.kvm;

import dev.duplex.api.ConflictException;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectName;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.VolumeRef;
import dev.duplex.api.VolumeSnapshot;
import dev.duplex.driver.kvm.LibvirtErrors.Context;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.w3c.dom.Element;

/**
 * Volume snapshots in a directory pool, as reflink clones made by libvirt itself
 * ({@code virStorageVolCreateXMLFrom} with {@code VIR_STORAGE_VOL_CREATE_REFLINK}): the clone shares
 * the volume's blocks (copy-on-write, XFS with reflink or btrfs), so taking one costs the same at
 * 64 MiB and at 4 GiB, and it works over any libvirt connection, remote ones too. libvirt refuses the
 * flag where the file system cannot clone rather than copying, so {@link #probe} finds out at
 * connect whether the pool can, and the driver declares the capability only then.
 *
 * <p>A snapshot of volume {@code db1.database.raw} named {@code s} is the pool volume
 * {@code db1.database+s.vm-snapshot.raw}: a VM-owned name, so it is never listed as a volume, and
 * found again by name after a reconnect. A restore deletes the volume and clones the snapshot back
 * under the volume's own name, so the volume keeps its key (its path) and its links; a crash between
 * the two leaves the volume absent until the restore runs again (the engine's rollback step does),
 * the snapshot holding its data meanwhile.
 */
final class PoolSnapshots {
    private static final Logger LOG = System.getLogger(PoolSnapshots.class.getName());
    /** libvirt-storage.h: VIR_STORAGE_VOL_CREATE_REFLINK. */
    private static final int CREATE_REFLINK = 2;
    private static final String PURPOSE = "vm-snapshot";
    private static final String OPERATION = "volume snapshot";

    private final String endpoint;
    private final Supplier<StoragePool> pools;
    private final Function<VolumeRef, Optional<String>> runningUser;

    PoolSnapshots(String endpoint, Supplier<StoragePool> pool, Function<VolumeRef, Optional<String>> runningUser) {
        this.endpoint = endpoint;
        this.pools = pool;
        this.runningUser = runningUser;
    }

    /** Whether libvirt clones volumes of this pool by reflink: tried on a small probe volume, deleted again. */
    static boolean probe(StoragePool pool) {
        String name = "duplex-reflink-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".vm-probe.raw";
        StorageVol source = null;
        StorageVol clone = null;
        try {
            source = pool.storageVolCreateXML(volumeXml(name, 1 << 20, "raw"), 0);
            clone = pool.storageVolCreateXMLFrom(volumeXml(name.replace(".vm-probe", "-clone.vm-probe"), 1 << 20, "raw"), source,
                    CREATE_REFLINK);
            return true;
        } catch (LibvirtException e) {
            LOG.log(Level.DEBUG, "Storage pool cannot clone by reflink, so no volume snapshots: {0}", LibvirtErrors.describe(e));
            return false;
        } finally {
            deleteQuietly(clone);
            deleteQuietly(source);
        }
    }

    VolumeSnapshot take(VolumeRef volume, String name) {
        String checked = checkName(volume, name);
        ObjectId object = ObjectId.of(volume);
        StoragePool pool = pools.get();
        StorageVol source = call("find", object, () -> pool.storageVolLookupByName(fileName(volume)));
        String format = format(call("read", object, () -> source.getXMLDesc(0)));
        if (!format.equals("raw")) {
            throw new InvalidSpecException("Volume " + volume + " on endpoint '" + endpoint + "' is " + format + "; the kvm driver"
                    + " snapshots raw volumes only (reflink clones); create database volumes with format raw", object);
        }
        String snapshotName = snapshotFileName(volume, checked);
        Optional<StorageVol> existing = find(pool, snapshotName);
        if (existing.isPresent()) {
            return describe(volume, checked, existing.get());
        }
        long capacity = call("read the size of", object, () -> source.getInfo().capacity);
        StorageVol taken = LibvirtErrors.call(Context.optional(endpoint, "snapshot", object, OPERATION),
                () -> pool.storageVolCreateXMLFrom(volumeXml(snapshotName, capacity, "raw"), source, CREATE_REFLINK));
        return describe(volume, checked, taken);
    }

    List<VolumeSnapshot> list(VolumeRef volume) {
        ObjectId object = ObjectId.of(volume);
        StoragePool pool = pools.get();
        run("refresh storage pool of", object, () -> pool.refresh(0));
        String prefix = stem(volume) + "+";
        String suffix = "." + PURPOSE + "." + extension(volume);
        List<VolumeSnapshot> found = new ArrayList<>();
        for (String file : call("list the volumes of the storage pool of", object, pool::listVolumes)) {
            if (!file.startsWith(prefix) || !file.endsWith(suffix)) {
                continue;
            }
            String name = file.substring(prefix.length(), file.length() - suffix.length());
            if (!ObjectName.isValid(name)) {
                continue;
            }
            find(pool, file).ifPresent(vol -> found.add(describe(volume, name, vol)));
        }
        found.sort(Comparator.comparing(VolumeSnapshot::createdAt).thenComparing(VolumeSnapshot::name));
        return found;
    }

    void restore(VolumeSnapshot snapshot) {
        VolumeRef volume = snapshot.volume();
        ObjectId object = snapshotObject(snapshot);
        StoragePool pool = pools.get();
        if (!ObjectName.isValid(snapshot.name())) {
            throw new ObjectNotFoundException(object);
        }
        StorageVol saved = find(pool, snapshotFileName(volume, snapshot.name())).orElseThrow(() -> new ObjectNotFoundException(object));
        if (!call("read the key of", object, saved::getKey).equals(snapshot.id())) {
            throw new ObjectNotFoundException(object);
        }
        Optional<StorageVol> current = find(pool, fileName(volume));
        if (current.isPresent()) {
            Optional<String> user = runningUser.apply(volume);
            if (user.isPresent()) {
                throw new ConflictException("Cannot restore snapshot " + snapshot.name() + " of volume " + volume + " on endpoint '"
                        + endpoint + "': running VM " + user.get() + " uses it; stop it first", object);
            }
            StorageVol old = current.get();
            run("delete the current content of", ObjectId.of(volume), () -> old.delete(0));
        }
        long capacity = call("read the size of", object, () -> saved.getInfo().capacity);
        run("restore", object, () -> pool.storageVolCreateXMLFrom(volumeXml(fileName(volume), capacity, "raw"), saved, CREATE_REFLINK));
    }

    void delete(VolumeSnapshot snapshot) {
        if (!ObjectName.isValid(snapshot.name())) {
            return;
        }
        StoragePool pool = pools.get();
        Optional<StorageVol> saved = find(pool, snapshotFileName(snapshot.volume(), snapshot.name()));
        if (saved.isEmpty()) {
            return;
        }
        ObjectId object = snapshotObject(snapshot);
        if (call("read the key of", object, saved.get()::getKey).equals(snapshot.id())) {
            run("delete", object, () -> saved.get().delete(0));
        }
    }

    private VolumeSnapshot describe(VolumeRef volume, String name, StorageVol snapshot) {
        ObjectId object = new ObjectId(ObjectKind.VOLUME_SNAPSHOT, name + " of volume " + volume);
        String key = call("read the key of", object, snapshot::getKey);
        return new VolumeSnapshot(key, volume, name, modified(call("read", object, () -> snapshot.getXMLDesc(0))));
    }

    private String checkName(VolumeRef volume, String name) {
        if (!ObjectName.isValid(name)) {
            throw new InvalidSpecException(ObjectName.problem("snapshot", name == null ? "" : name) + " (of volume " + volume + ")",
                    ObjectId.of(volume));
        }
        return name;
    }

    private Optional<StorageVol> find(StoragePool pool, String file) {
        try {
            return Optional.of(pool.storageVolLookupByName(file));
        } catch (LibvirtException e) {
            if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
                return Optional.empty();
            }
            throw LibvirtErrors.translate(e, Context.of(endpoint, "look up volume '" + file + "' of", new ObjectId(ObjectKind.ENDPOINT, endpoint)));
        }
    }

    /** The volume's file name in its directory pool: its key is the file's path. */
    private static String fileName(VolumeRef volume) {
        Path file = Path.of(volume.id()).getFileName();
        if (file == null || !VolumeName.NAME.matcher(file.toString()).matches()) {
            throw new ObjectNotFoundException(ObjectId.of(volume));
        }
        return file.toString();
    }

    private static String stem(VolumeRef volume) {
        String file = fileName(volume);
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    private static String extension(VolumeRef volume) {
        String file = fileName(volume);
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(dot + 1) : "raw";
    }

    /** {@code <volume stem>+<name>.vm-snapshot.<ext>}: VM-owned, so listVolumes never shows it. */
    private static String snapshotFileName(VolumeRef volume, String name) {
        return stem(volume) + "+" + name + "." + PURPOSE + "." + extension(volume);
    }

    private static ObjectId snapshotObject(VolumeSnapshot snapshot) {
        return new ObjectId(ObjectKind.VOLUME_SNAPSHOT, snapshot.name() + " of volume " + snapshot.volume());
    }

    /** Allocation 0: else libvirt fallocates the whole capacity before it clones, which costs as much as the volume is large. */
    private static String volumeXml(String name, long capacity, String format) {
        return "<volume><name>" + Xml.escape(name) + "</name><capacity unit='bytes'>" + capacity + "</capacity>"
                + "<allocation unit='bytes'>0</allocation>"
                + "<target><format type='" + Xml.escape(format) + "'/><permissions><mode>0600</mode></permissions></target></volume>";
    }

    private static String format(String xml) {
        Element target = Xml.child(Xml.parse(xml).getDocumentElement(), "target");
        Element format = target == null ? null : Xml.child(target, "format");
        String type = format == null ? "" : format.getAttribute("type");
        return type.isEmpty() ? "raw" : type;
    }

    /** The file's modification time from the volume's XML: a clone is never written after it was made. */
    private static Instant modified(String xml) {
        Element target = Xml.child(Xml.parse(xml).getDocumentElement(), "target");
        Element timestamps = target == null ? null : Xml.child(target, "timestamps");
        Element mtime = timestamps == null ? null : Xml.child(timestamps, "mtime");
        if (mtime == null || mtime.getTextContent().isBlank()) {
            return Instant.EPOCH;
        }
        BigDecimal seconds = new BigDecimal(mtime.getTextContent().strip());
        long whole = seconds.longValue();
        return Instant.ofEpochSecond(whole, seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue());
    }

    private static void deleteQuietly(StorageVol volume) {
        if (volume == null) {
            return;
        }
        try {
            volume.delete(0);
        } catch (LibvirtException e) {
            LOG.log(Level.WARNING, "Could not delete a probe volume: {0}", LibvirtErrors.describe(e));
        }
    }

    private <T> T call(String action, ObjectId object, LibvirtErrors.Call<T> call) {
        return LibvirtErrors.call(Context.of(endpoint, action, object), call);
    }

    private void run(String action, ObjectId object, LibvirtErrors.Action action2) {
        LibvirtErrors.run(Context.of(endpoint, action, object), action2);
    }
}
