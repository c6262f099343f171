package dev.duplex.driver.local;

import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.StopMode;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import dev.duplex.api.VolumeLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** A test's local endpoint: drivers, images and VMs on one state folder, all stopped by {@link #close()}. */
final class LocalVms implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Path temp;
    private final List<HypervisorDriver> drivers = new ArrayList<>();
    private final List<VmRef> vms = new ArrayList<>();

    LocalVms(Path temp) {
        this.temp = temp;
    }

    Path state() {
        return temp.resolve("state");
    }

    HypervisorDriver driver(Map<String, String> properties) {
        HypervisorDriver driver = new LocalDriverProvider().connect(
                new DriverConfig("test", "local:", properties, Optional.empty(), state()));
        drivers.add(driver);
        return driver;
    }

    ImageRef image(HypervisorDriver driver, String name, String command) {
        Path source = TestImages.write(temp.resolve("sources").resolve(name), "1.0", command);
        return driver.registerImage(new ImageSpec(name, "1.0", source.toString(), Map.of()));
    }

    VmRef vm(HypervisorDriver driver, ImageRef image, List<VolumeLink> links, Map<String, String> properties) {
        VmRef vm = driver.createVm(new VmSpec("vm-" + vms.size(), image, links, properties));
        vms.add(vm);
        return vm;
    }

    VmFolder folder(VmRef vm) {
        return new VmFolder(state().resolve("vms").resolve(vm.id()));
    }

    Path volumeData(dev.duplex.api.VolumeRef volume) {
        return state().resolve("volumes").resolve(volume.id()).resolve("data");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops every VM (best effort: the test's own assertions said what went wrong) and closes the drivers. */
    @Override
    public void close() {
        HypervisorDriver driver = driver(Map.of());
        for (VmRef vm : vms) {
            try {
                driver.stop(vm, StopMode.FORCE);
            } catch (RuntimeException e) {
                // Best effort.
            }
        }
        drivers.forEach(HypervisorDriver::close);
    }
}
