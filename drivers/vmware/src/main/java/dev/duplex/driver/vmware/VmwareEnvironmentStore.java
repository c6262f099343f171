package dev.duplex.driver.vmware;

import com.vmware.vim25.OptionValue;
import com.vmware.vim25.VirtualMachineConfigSpec;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A vSphere VM's operating-environment information. The {@code settings} item is the VM's nvram
 * file (its firmware's variables) on the datastore, read and written through the datastore file
 * transfer; it is present when that file holds something (vSphere makes it at the first power-on,
 * vcsim makes it empty at creation, and an empty one is no settings yet). Every other item, the
 * revision and the item names live in extraConfig: the revision in {@code duplex.env.revision},
 * the names in {@code duplex.env.items}, each item base64 in {@code duplex.env.item.<name>}.
 *
 * <p>A write checks everything first (revision, names, sizes), then writes the nvram file if
 * {@code settings} changed, then the rest in one ReconfigVM_Task carrying the VM's
 * {@code changeVersion}, which vSphere refuses if the VM's configuration changed since it was
 * read; if that refuses or fails, the nvram file is put back as it was. A process killed between
 * the two leaves the new nvram under the old revision: the engine's check of each item's content
 * against its archive before a standby starts finds that and writes the whole info again.
 * {@code settings} is written only while the VM is powered off, because a running VM's firmware
 * writes its nvram file at power-off over whatever was put there.
 */
final class VmwareEnvironmentStore implements EnvironmentStore {
    static final String SETTINGS = "settings";
    private static final String REVISION = "duplex.env.revision";
    private static final String ITEMS = "duplex.env.items";
    private static final String ITEM = "duplex.env.item.";
    private static final Pattern ITEM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** extraConfig holds at most this much per item; the nvram file is not so bound, but is never this large. */
    private static final int MAX_EXTRA_ITEM = 1 << 20;
    private static final int MAX_NVRAM = 64 << 20;

    private final VmwareDriver driver;
    private final VmRef vm;

    VmwareEnvironmentStore(VmwareDriver driver, VmRef vm) {
        this.driver = driver;
        this.vm = vm;
    }

    @Override
    public EnvironmentSnapshot read() {
        VmwareDriver.EnvironmentPlace place = driver.environmentPlace(vm);
        return snapshot(place.extra(), nvram(place));
    }

    private Optional<byte[]> nvram(VmwareDriver.EnvironmentPlace place) {
        return driver.files().read(place.nvram(), ObjectId.of(vm)).filter(bytes -> bytes.length > 0);
    }

    private static EnvironmentSnapshot snapshot(Map<String, String> extra, Optional<byte[]> nvram) {
        long revision = Long.parseLong(extra.getOrDefault(REVISION, "0"));
        List<EnvironmentItem> items = new ArrayList<>();
        nvram.ifPresent(bytes -> items.add(new EnvironmentItem(SETTINGS, bytes)));
        for (String name : names(extra)) {
            if (!name.equals(SETTINGS)) {
                items.add(new EnvironmentItem(name, Base64.getDecoder().decode(extra.getOrDefault(ITEM + name, ""))));
            }
        }
        return new EnvironmentSnapshot(revision, items);
    }

    private static List<String> names(Map<String, String> extra) {
        String names = extra.getOrDefault(ITEMS, "");
        return names.isEmpty() ? List.of() : List.of(names.split(","));
    }

    @Override
    public void write(EnvironmentUpdate update) {
        ObjectId object = ObjectId.of(vm);
        synchronized (driver) {
            VmwareDriver.EnvironmentPlace place = driver.environmentPlace(vm);
            Optional<byte[]> oldNvram = nvram(place);
            EnvironmentSnapshot current = snapshot(place.extra(), oldNvram);
            if (current.revision() != update.expectedRevision()) {
                throw new ConflictException("The environment of VM " + vm + " is at revision " + current.revision()
                        + ", not " + update.expectedRevision() + " as the update expects", object);
            }
            Map<String, byte[]> items = new LinkedHashMap<>();
            current.items().forEach(i -> items.put(i.name(), i.content()));
            for (ItemChange change : update.changes()) {
                apply(change, items);
            }
            Optional<byte[]> newNvram = Optional.ofNullable(items.remove(SETTINGS));
            boolean nvramChanged = !Arrays.equals(oldNvram.orElse(null), newNvram.orElse(null));
            if (nvramChanged && !place.poweredOff()) {
                throw new ConflictException("Cannot write item '" + SETTINGS + "' of VM " + vm + ": it is not powered off, and its"
                        + " firmware writes its nvram file " + place.nvram() + " at power-off over whatever is put there; stop it first",
                        object);
            }
            List<OptionValue> options = new ArrayList<>();
            options.add(VmwareDriver.option(REVISION, Long.toString(update.newRevision())));
            options.add(VmwareDriver.option(ITEMS, String.join(",", items.keySet())));
            items.forEach((name, bytes) -> options.add(VmwareDriver.option(ITEM + name, Base64.getEncoder().encodeToString(bytes))));
            for (String gone : names(place.extra())) {
                if (!items.containsKey(gone)) {
                    // An empty value removes the key from a vSphere VM's extraConfig.
                    options.add(VmwareDriver.option(ITEM + gone, ""));
                }
            }
            VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
            spec.setExtraConfig(options.toArray(OptionValue[]::new));
            if (nvramChanged) {
                writeNvram(place, newNvram, object);
            }
            try {
                driver.reconfigure(vm, place.changeVersion(), spec, "write the environment of");
            } catch (RuntimeException e) {
                if (nvramChanged) {
                    try {
                        writeNvram(place, oldNvram, object);
                    } catch (RuntimeException undo) {
                        e.addSuppressed(undo);
                    }
                }
                throw e;
            }
        }
    }

    private void writeNvram(VmwareDriver.EnvironmentPlace place, Optional<byte[]> content, ObjectId object) {
        if (content.isPresent()) {
            driver.files().write(place.nvram(), content.get(), object);
        } else {
            // No settings: vSphere makes a fresh nvram file at the next power-on.
            driver.deleteFile(place.nvram(), object);
        }
    }

    private static void apply(ItemChange change, Map<String, byte[]> items) {
        ObjectId item = new ObjectId(ObjectKind.ENVIRONMENT_ITEM, change.item());
        if (!ITEM_NAME.matcher(change.item()).matches()) {
            throw new InvalidSpecException("'" + dev.duplex.api.VisibleText.escape(change.item())
                    + "' is not a valid environment item name here: use 1-64 of A-Z, a-z, 0-9, '_', '-'", item);
        }
        int limit = change.item().equals(SETTINGS) ? MAX_NVRAM : MAX_EXTRA_ITEM;
        if (change instanceof ItemChange.Replace replace) {
            if (change.item().equals(SETTINGS) && replace.content().content().length == 0) {
                throw new InvalidSpecException("Item '" + SETTINGS + "' is the VM's nvram file and cannot be empty;"
                        + " remove the item instead", item);
            }
            if (replace.content().content().length > limit) {
                throw new InvalidSpecException("Item '" + replace.item() + "' is " + replace.content().content().length
                        + " bytes; this store holds at most " + limit + " bytes for it", item);
            }
            items.put(replace.item(), replace.content().content());
        } else if (change instanceof ItemChange.Remove remove) {
            if (items.remove(remove.item()) == null) {
                throw new ObjectNotFoundException(item);
            }
        } else if (change instanceof ItemChange.Patch patch) {
            byte[] old = items.get(patch.item());
            if (old == null) {
                throw new ObjectNotFoundException(item);
            }
            if (patch.newLength() > limit || patch.newLength() == 0 && change.item().equals(SETTINGS)) {
                throw new InvalidSpecException("Item '" + patch.item() + "' would be " + patch.newLength()
                        + " bytes; this store holds 1 to " + limit + " bytes for it", item);
            }
            byte[] next = Arrays.copyOf(old, (int) patch.newLength());
            for (BytePatch p : patch.patches()) {
                System.arraycopy(p.bytes(), 0, next, (int) p.offset(), p.length());
            }
            items.put(patch.item(), next);
        }
    }
}
