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
 * variable store open while it runs). A write is atomic: a changed variable store is written
 * whole to a <em>new</em> pool volume (through libvirt's upload stream, so it also works with a
 * remote libvirtd), then one {@code virDomainDefineXML} switches the domain to it together with
 * the new metadata and revision; only after that does the old store get deleted. A write that
 * fails or dies before the redefine leaves the domain exactly as it was.
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

    @Override
    public void write(EnvironmentUpdate update) {
        ObjectId object = ObjectId.of(vm);
        synchronized (driver) {
            if (driver.running(vm)) {
                throw new ConflictException("VM " + vm + " is running on endpoint '" + driver.endpoint()
                        + "': its environment is written only while it is shut off; stop it first", object);
            }
            DomainDocument xml = driver.persistentXml(vm);
            EnvironmentSnapshot current = snapshot(xml);
            if (current.revision() != update.expectedRevision()) {
                throw new ConflictException("The environment of VM " + vm + " is at revision " + current.revision()
                        + ", not " + update.expectedRevision() + " as the update expects", object);
            }
            Map<String, byte[]> items = new LinkedHashMap<>();
            current.items().forEach(i -> items.put(i.name(), i.content()));
            for (ItemChange change : update.changes()) {
                apply(change, items);
            }
            Optional<String> oldNvram = xml.nvramPath();
            Optional<String> newNvram = Optional.empty();
            if (oldNvram.isPresent()) {
                byte[] settings = items.get(SETTINGS);
                if (settings == null) {
                    throw new InvalidSpecException("The UEFI variable store ('" + SETTINGS + "') of VM " + vm
                            + " cannot be removed; write it whole instead", new ObjectId(ObjectKind.ENVIRONMENT_ITEM, SETTINGS));
                }
                if (!Arrays.equals(settings, current.item(SETTINGS).orElseThrow().content())) {
                    long generation = KvmDriver.nvramGeneration(oldNvram.get()) + 1;
                    newNvram = Optional.of(driver.writeNvramGeneration(xml.name(), generation, settings, object));
                    xml.setNvramPath(newNvram.get());
                }
                items.remove(SETTINGS);
            }
            DuplexMetadata meta = xml.metadata().orElseThrow();
            xml.replaceMetadata(meta.withEnvironment(update.newRevision(), items));
            try {
                driver.redefine(xml, object);
            } catch (RuntimeException e) {
                newNvram.ifPresent(driver::deleteNvramPath);
                throw e;
            }
            if (newNvram.isPresent()) {
                driver.deleteNvramPath(oldNvram.get());
            }
        }
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
