package dev.duplex.driver.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.ItemChange;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VmState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A UEFI VM's environment store against a real libvirtd, seeded with the real OVMF variable
 * store template from Debian's ovmf package: {@code settings} is the domain's NVRAM file,
 * {@code configuration} lives in its metadata; writes are refused while the VM runs and replace
 * the NVRAM file by a new generation in one redefine.
 */
class KvmUefiEnvironmentLiveTest {
    private static final Path TEMPLATE = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private HypervisorDriver driver;
    private ImageRef image;
    private VmRef vm;

    @BeforeEach
    void connect() {
        driver = new KvmDriverProvider().connect(LiveLibvirt.get().config("live-uefi", Map.of("firmware", "uefi")));
        image = driver.registerImage(new ImageSpec("uefi-" + run, "v1", LiveLibvirt.guest("v1"), Map.of()));
        vm = driver.createVm(new VmSpec("uefi-" + run, image, List.of(), Map.of()));
    }

    @AfterEach
    void cleanUp() {
        if (vm != null) {
            driver.stop(vm, StopMode.FORCE);
            driver.deleteVm(vm);
        }
        driver.deleteImage(image);
        driver.close();
    }

    @Test
    void settingsAreTheUefiVariableStoreAndWriteOnlyWhileShutOff() throws Exception {
        byte[] template = Files.readAllBytes(TEMPLATE);
        EnvironmentStore store = driver.environment(vm);
        EnvironmentSnapshot fresh = store.read();
        assertEquals(0, fresh.revision());
        assertArrayEquals(template, fresh.item("settings").orElseThrow().content(), "a new UEFI VM starts from OVMF's template");
        Path firstNvram = nvramFile();
        assertArrayEquals(template, Files.readAllBytes(firstNvram), "the NVRAM file libvirt boots the VM with");

        // A diff-style patch of a few variable bytes plus a configuration item, as failover applies them.
        byte[] changed = template.clone();
        changed[0x1000] ^= 0x5a;
        changed[0x1001] ^= 0x5a;
        byte[] configuration = "role=standby\nsip.port=5060\n".getBytes(StandardCharsets.UTF_8);
        long t = System.nanoTime();
        store.write(new EnvironmentUpdate(0, 1, List.of(
                new ItemChange.Patch("settings", template.length, List.of(new BytePatch(0x1000,
                        new byte[] {changed[0x1000], changed[0x1001]}))),
                new ItemChange.Replace(new EnvironmentItem("configuration", configuration)))));
        Duration write = Duration.ofNanos(System.nanoTime() - t);

        EnvironmentSnapshot written = store.read();
        assertEquals(1, written.revision());
        assertArrayEquals(changed, written.item("settings").orElseThrow().content());
        assertArrayEquals(configuration, written.item("configuration").orElseThrow().content());
        Path secondNvram = nvramFile();
        assertNotEquals(firstNvram, secondNvram, "a new NVRAM generation");
        assertArrayEquals(changed, Files.readAllBytes(secondNvram), "the domain now boots with the patched store");
        assertFalse(Files.exists(firstNvram), "the old generation is deleted after the redefine");

        // The firmware really boots with it, and a running VM's environment is not written.
        driver.start(vm);
        assertEquals(VmState.RUNNING, driver.state(vm));
        assertThrows(ConflictException.class, () -> store.write(new EnvironmentUpdate(1, 2,
                List.of(new ItemChange.Replace(new EnvironmentItem("configuration", new byte[] {1}))))));
        driver.stop(vm, StopMode.FORCE);
        assertEquals(1, store.read().revision(), "a refused write changes nothing");
        System.out.println("KVM live timings: UEFI store (" + template.length + " bytes) patch+redefine " + write.toMillis() + " ms");
    }

    private Path nvramFile() {
        KvmDriver kvm = (KvmDriver) driver;
        return Path.of(kvm.persistentXml(vm).nvramPath().orElseThrow());
    }
}
