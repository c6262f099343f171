package dev.duplex.driver.kvm;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.VmRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A KVM VM's operating-environment information. For a UEFI VM the item {@code settings} is its
 * UEFI variable store (the domain's {@code <nvram>} file, a volume of the driver's storage
 * pool); every other item, and the revision, live base64-encoded in the domain's
 * {@code <metadata>} under Duplex's namespace.
 *
 * <p>Writes happen only while the VM is shut off, as a cold standby's are (QEMU holds the
 * variable store open while it runs). A write is atomic: a changed variable store goes to a
 * <em>new</em> pool volume (a patch: a server-side clone of the current one, then libvirt ranged
 * uploads of only the changed runs; a replacement: one whole upload — streams, so a remote
 * libvirtd works too), then one {@code virDomainDefineXML} switches the domain to it together
 * with the new metadata and revision; only after that does the old store get deleted. A write
 * that fails or dies before the redefine, a ranged upload cut off halfway included, leaves the
 * domain exactly as it was: its definition still names the old store and the old revision, and
 * the half-written generation is an unreferenced volume (replaced by the next write, deleted with
 * the VM).
 */
final class KvmEnvironmentStore implements EnvironmentStore {
    static final String SETTINGS = "settings";

    private final KvmDriver driver;
    private final VmRef vm;

    KvmEnvironmentStore(KvmDriver driver, VmRef vm) {
        this.driver = driver;
        this.vm = vm;
    }

    @Override
    public EnvironmentSnapshot read() {
        DomainDocument xml = driver.persistentXml(vm);
        return snapshot(xml);
    }

    private EnvironmentSnapshot snapshot(DomainDocument xml) {
        DuplexMetadata meta = xml.metadata().orElseThrow(() -> new ObjectNotFoundException(ObjectId.of(vm)));
        var items = new ArrayList<EnvironmentItem>();
        Optional<String> nvram = xml.nvramPath();
        nvram.ifPresent(path -> items.add(new EnvironmentItem(SETTINGS, driver.readNvram(path, ObjectId.of(vm)))));
        meta.items().forEach((name, bytes) -> {
            if (!(nvram.isPresent() && name.equals(SETTINGS))) {
                items.add(new EnvironmentItem(name, bytes));
            }
        });
        return new EnvironmentSnapshot(meta.revision(), items);
    }

    /**
     * A UEFI VM's {@code settings} item is its variable store: the info must hold one, of the size
     * the store has now and with the firmware-volume signature OVMF and every UEFI firmware put at
     * byte 40. Anything else would be written without complaint and fail only at boot.
     */
    @Override
    public void check(EnvironmentSnapshot target) {
        DomainDocument xml = driver.persistentXml(vm);
        Optional<String> nvram = xml.nvramPath();
        if (nvram.isEmpty()) {
            return;
        }
        ObjectId object = ObjectId.of(vm);
        EnvironmentItem settings = target.items().stream().filter(item -> item.name().equals(SETTINGS)).findFirst()
                .orElseThrow(() -> new InvalidSpecException("The environment info for VM " + vm + " (revision "
                        + target.revision() + ") has no '" + SETTINGS + "' item, and VM " + vm + " is a UEFI VM whose "
                        + "'" + SETTINGS + "' is its firmware variable store: it cannot be removed. Sync it from a UEFI VM "
                        + "of the same firmware", new ObjectId(ObjectKind.ENVIRONMENT_ITEM, SETTINGS)));
        checkVariableStore(settings.content(), driver.nvramSize(nvram.get(), object));
    }

    private void checkVariableStore(byte[] content, long size) {
        ObjectId item = new ObjectId(ObjectKind.ENVIRONMENT_ITEM, SETTINGS);
        if (content.length != size) {
            throw new InvalidSpecException("The '" + SETTINGS + "' item given for VM " + vm + " is " + content.length
                    + " bytes, but it is the VM's UEFI variable store, which is " + size + " bytes (the size its firmware "
                    + "was built with): it is not that VM's kind of firmware settings. Sync it only from a UEFI VM of "
                    + "the same firmware", item);
        }
        if (!hasFirmwareVolumeSignature(content)) {
            throw new InvalidSpecException("The '" + SETTINGS + "' item given for VM " + vm + " is not a UEFI variable "
                    + "store (no firmware-volume signature '_FVH' at byte 40): the VM would not boot on it. Sync it only "
                    + "from a UEFI VM of the same firmware", item);
        }
    }

    static boolean hasFirmwareVolumeSignature(byte[] content) {
        return content.length >= 44 && content[40] == '_' && content[41] == 'F' && content[42] == 'V' && content[43] == 'H';
    }

    @Override
    public void write(EnvironmentUpdate update) {
        ObjectId object = ObjectId.of(vm);
        synchronized (driver) {
            if (driver.running(vm)) {
                throw new ConflictException("VM " + vm + " is running on endpoint '" + driver.endpoint()
                        + "': its environment is written only while it is shut off; stop it first", object);
            }
            DomainDocument xml = driver.persistentXml(vm);
            DuplexMetadata meta = xml.metadata().orElseThrow(() -> new ObjectNotFoundException(object));
            // The revision lives in the same definition the redefine below replaces: compare, then set.
            if (meta.revision() != update.expectedRevision()) {
                throw new ConflictException("The environment of VM " + vm + " is at revision " + meta.revision()
                        + ", not " + update.expectedRevision() + " as the update expects", object);
            }
            Optional<String> oldNvram = xml.nvramPath();
            Map<String, byte[]> items = new LinkedHashMap<>(meta.items());
            Optional<ItemChange> settingsChange = Optional.empty();
            if (oldNvram.isPresent()) {
                items.remove(SETTINGS);
            }
            for (ItemChange change : update.changes()) {
                if (oldNvram.isPresent() && change.item().equals(SETTINGS)) {
                    settingsChange = Optional.of(change);
                } else {
                    apply(change, items);
                }
            }
            Optional<String> newNvram = Optional.empty();
            if (settingsChange.isPresent()) {
                long generation = KvmDriver.nvramGeneration(oldNvram.get()) + 1;
                newNvram = Optional.of(writeSettings(xml.name(), oldNvram.get(), generation, settingsChange.get(), object));
                xml.setNvramPath(newNvram.get());
            }
            xml.replaceMetadata(meta.withEnvironment(update.newRevision(), items));
            try {
                driver.redefine(xml, object);
            } catch (RuntimeException e) {
                newNvram.ifPresent(driver::deleteNvramPath);
                throw e;
            }
            newNvram.ifPresent(path -> driver.deleteNvramPath(oldNvram.get()));
        }
    }

    /**
     * Writes the next generation of the UEFI variable store, never the one the domain boots with:
     * a patch of the same length is a server-side clone of the current generation plus one ranged
     * upload per changed run (what a failover diff carries, not the whole store); a replacement,
     * or a patch that changes the length, is uploaded whole. Returns the new generation's path.
     */
    private String writeSettings(String vmName, String current, long generation, ItemChange change, ObjectId object) {
        ObjectId item = new ObjectId(ObjectKind.ENVIRONMENT_ITEM, SETTINGS);
        if (change instanceof ItemChange.Remove) {
            throw new InvalidSpecException("The UEFI variable store ('" + SETTINGS + "') of VM " + vm
                    + " cannot be removed; write it whole instead", item);
        }
        long size = driver.nvramSize(current, object);
        if (change instanceof ItemChange.Replace replace) {
            checkVariableStore(replace.content().content(), size);
            return driver.writeNvramGeneration(vmName, generation, replace.content().content(), object);
        }
        ItemChange.Patch patch = (ItemChange.Patch) change;
        List<BytePatch> runs = NvramRuns.coalesce(patch.patches());
        if (patch.newLength() != size) {
            throw new InvalidSpecException("A patch would make the UEFI variable store ('" + SETTINGS + "') of VM " + vm
                    + " " + patch.newLength() + " bytes instead of its " + size + ": a variable store keeps the size its "
                    + "firmware was built with. Sync it only from a UEFI VM of the same firmware", item);
        }
        if (runs.stream().anyMatch(run -> run.offset() < 44 && run.end() > 40)) {
            byte[] header = driver.readNvram(current, object);
            for (BytePatch run : runs) {
                byte[] bytes = run.bytes();
                System.arraycopy(bytes, 0, header, (int) run.offset(), bytes.length);
            }
            checkVariableStore(header, size);
        }
        if (runs.size() <= NvramRuns.MAX_RANGED_UPLOADS) {
            return driver.patchNvramGeneration(vmName, generation, current, runs, object);
        }
        Map<String, byte[]> whole = new LinkedHashMap<>();
        whole.put(SETTINGS, driver.readNvram(current, object));
        apply(patch, whole);
        return driver.writeNvramGeneration(vmName, generation, whole.get(SETTINGS), object);
    }

    private void apply(ItemChange change, Map<String, byte[]> items) {
        if (change instanceof ItemChange.Replace replace) {
            items.put(replace.item(), replace.content().content());
        } else if (change instanceof ItemChange.Remove remove) {
            if (items.remove(remove.item()) == null) {
                throw new ObjectNotFoundException(new ObjectId(ObjectKind.ENVIRONMENT_ITEM, remove.item()));
            }
        } else if (change instanceof ItemChange.Patch patch) {
            byte[] old = items.get(patch.item());
            if (old == null) {
                throw new ObjectNotFoundException(new ObjectId(ObjectKind.ENVIRONMENT_ITEM, patch.item()));
            }
            if (patch.newLength() > Integer.MAX_VALUE - 16) {
                throw new InvalidSpecException("Item '" + patch.item() + "' would be too large: " + patch.newLength() + " bytes",
                        new ObjectId(ObjectKind.ENVIRONMENT_ITEM, patch.item()));
            }
            byte[] next = Arrays.copyOf(old, (int) patch.newLength());
            for (BytePatch p : patch.patches()) {
                byte[] bytes = p.bytes();
                System.arraycopy(bytes, 0, next, (int) p.offset(), bytes.length);
            }
            items.put(patch.item(), next);
        }
    }
}
