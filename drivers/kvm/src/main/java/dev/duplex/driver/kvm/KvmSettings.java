package dev.duplex.driver.kvm;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The KVM driver's endpoint properties ({@link DriverConfig#properties()}). Unknown keys are refused.
 *
 * @param pool the storage pool holding volumes, VM-owned copies, NVRAM stores and serial logs ({@code pool}, default {@code duplex})
 * @param poolPath where to create a directory pool when {@code pool} is missing ({@code pool-path}); without it a missing pool is an error
 * @param domainType the {@code <domain type>}: {@code qemu} (software emulation, the default) or {@code kvm};
 *     on libvirt's test hypervisor always {@code test}
 * @param memoryMib default guest memory ({@code memory-mib}, default 128)
 * @param vcpus default virtual CPUs ({@code vcpus}, default 1)
 * @param stopGraceMillis how long a graceful stop waits for the guest before forcing it off ({@code stop-grace-ms}, default 30000)
 * @param firmware default firmware of new VMs ({@code firmware}: {@code bios}, the default, or {@code uefi})
 * @param ovmfCode the UEFI firmware code on the libvirt host ({@code ovmf-code})
 * @param ovmfVars the UEFI variable store template ({@code ovmf-vars}); the driver reads it to seed each UEFI VM's store
 */
record KvmSettings(
        String pool,
        Optional<String> poolPath,
        Optional<String> domainType,
        int memoryMib,
        int vcpus,
        long stopGraceMillis,
        Firmware firmware,
        String ovmfCode,
        String ovmfVars) {

    static final Set<String> KEYS = Set.of(
            "pool", "pool-path", "domain-type", "memory-mib", "vcpus", "stop-grace-ms", "firmware", "ovmf-code", "ovmf-vars");

    /** A VM's firmware. */
    enum Firmware {
        BIOS, UEFI;

        static Firmware parse(String value, String key, ObjectId object) {
            return switch (value) {
                case "bios" -> BIOS;
                case "uefi" -> UEFI;
                default -> throw new InvalidSpecException(
                        "Invalid value '" + value + "' for property '" + key + "': expected bios or uefi", object);
            };
        }

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static KvmSettings from(DriverConfig config) {
        ObjectId endpoint = new ObjectId(ObjectKind.ENDPOINT, config.endpoint());
        rejectUnknown(config.properties(), KEYS, "endpoint '" + config.endpoint() + "'", endpoint);
        Map<String, String> p = config.properties();
        return new KvmSettings(
                p.getOrDefault("pool", "duplex"),
                Optional.ofNullable(p.get("pool-path")),
                Optional.ofNullable(p.get("domain-type")),
                positiveInt(p, "memory-mib", 128, endpoint),
                positiveInt(p, "vcpus", 1, endpoint),
                positiveInt(p, "stop-grace-ms", 30_000, endpoint),
                Firmware.parse(p.getOrDefault("firmware", "bios"), "firmware", endpoint),
                p.getOrDefault("ovmf-code", "/usr/share/OVMF/OVMF_CODE_4M.fd"),
                p.getOrDefault("ovmf-vars", "/usr/share/OVMF/OVMF_VARS_4M.fd"));
    }

    /** Refuses property keys outside {@code known}, naming them and the keys that are known. */
    static void rejectUnknown(Map<String, String> properties, Set<String> known, String owner, ObjectId object) {
        var unknown = new TreeSet<String>();
        for (String key : properties.keySet()) {
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidSpecException("Unknown KVM driver propert" + (unknown.size() == 1 ? "y " : "ies ")
                    + String.join(", ", unknown.stream().map(k -> "'" + k + "'").toList()) + " for " + owner
                    + "; known: " + String.join(", ", new TreeSet<>(known)), object);
        }
    }

    static int positiveInt(Map<String, String> properties, String key, int defaultValue, ObjectId object) {
        String value = properties.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSpecException("Invalid value '" + value + "' for property '" + key + "': expected a positive whole number", object);
    }
}
