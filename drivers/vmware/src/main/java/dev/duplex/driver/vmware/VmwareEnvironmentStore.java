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
import java.util.regex.Pattern;

/**
 * A vSphere VM's operating-environment information, kept in its extraConfig: the revision in
 * {@code duplex.env.revision}, the item names in {@code duplex.env.items}, each item base64 in
 * {@code duplex.env.item.<name>}. A write is one ReconfigVM_Task carrying the VM's
 * {@code changeVersion}, so it lands whole or not at all, and vSphere refuses it if the VM's
 * configuration changed since it was read. The {@code settings} item is not (yet) the VM's nvram
 * file: it is an extraConfig item like the others, so the store does not claim FIRMWARE_STORE.
 */
final class VmwareEnvironmentStore implements EnvironmentStore {
    private static final String REVISION = "duplex.env.revision";
    private static final String ITEMS = "duplex.env.items";
    private static final String ITEM = "duplex.env.item.";
    private static final Pattern ITEM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final VmwareDriver driver;
    private final VmRef vm;

    VmwareEnvironmentStore(VmwareDriver driver, VmRef vm) {
        this.driver = driver;
        this.vm = vm;
    }

    @Override
    public EnvironmentSnapshot read() {
        return snapshot(driver.extraConfigOf(vm));
    }

    private EnvironmentSnapshot snapshot(Map<String, String> extra) {
        long revision = Long.parseLong(extra.getOrDefault(REVISION, "0"));
        List<EnvironmentItem> items = new ArrayList<>();
        for (String name : names(extra)) {
            items.add(new EnvironmentItem(name, Base64.getDecoder().decode(extra.getOrDefault(ITEM + name, ""))));
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
            Map<String, String> extra = driver.extraConfigOf(vm);
            EnvironmentSnapshot current = snapshot(extra);
            if (current.revision() != update.expectedRevision()) {
                throw new ConflictException("The environment of VM " + vm + " is at revision " + current.revision()
                        + ", not " + update.expectedRevision() + " as the update expects", object);
            }
            Map<String, byte[]> items = new LinkedHashMap<>();
            current.items().forEach(i -> items.put(i.name(), i.content()));
            for (ItemChange change : update.changes()) {
                apply(change, items);
            }
            List<OptionValue> options = new ArrayList<>();
            options.add(VmwareDriver.option(REVISION, Long.toString(update.newRevision())));
            options.add(VmwareDriver.option(ITEMS, String.join(",", items.keySet())));
            items.forEach((name, bytes) -> options.add(VmwareDriver.option(ITEM + name, Base64.getEncoder().encodeToString(bytes))));
            for (String gone : names(extra)) {
                if (!items.containsKey(gone)) {
                    // An empty value removes the key from a vSphere VM's extraConfig.
                    options.add(VmwareDriver.option(ITEM + gone, ""));
                }
            }
            VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
            spec.setExtraConfig(options.toArray(OptionValue[]::new));
            driver.reconfigure(vm, spec, "write the environment of");
        }
    }

    private static void apply(ItemChange change, Map<String, byte[]> items) {
        ObjectId item = new ObjectId(ObjectKind.ENVIRONMENT_ITEM, change.item());
        if (!ITEM_NAME.matcher(change.item()).matches()) {
            throw new InvalidSpecException("'" + dev.duplex.api.VisibleText.escape(change.item())
                    + "' is not a valid environment item name here: use 1-64 of A-Z, a-z, 0-9, '_', '-'", item);
        }
        if (change instanceof ItemChange.Replace replace) {
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
            if (patch.newLength() > 1 << 20) {
                throw new InvalidSpecException("Item '" + patch.item() + "' would be " + patch.newLength()
                        + " bytes; a VM's extraConfig holds at most 1 MiB per item", item);
            }
            byte[] next = Arrays.copyOf(old, (int) patch.newLength());
            for (BytePatch p : patch.patches()) {
                System.arraycopy(p.bytes(), 0, next, (int) p.offset(), p.length());
            }
            items.put(patch.item(), next);
        }
    }
}
