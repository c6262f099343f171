package dev.duplex.bench.envsync;

import dev.duplex.api.DriverConfig;
import dev.duplex.api.DriverProvider;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.HypervisorDriver;
import dev.duplex.api.ImageRef;
import dev.duplex.api.ImageSpec;
import dev.duplex.api.VmRef;
import dev.duplex.api.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A stopped VM of the local driver, made only for its environment store: what a failover sync
 * writes to on the local driver, the real store with its generations and its patch journal.
 * The driver is found the way Duplex finds it, through its {@link DriverProvider}.
 */
final class LocalStandby implements AutoCloseable {
    private final HypervisorDriver driver;
    private final VmRef vm;

    private LocalStandby(HypervisorDriver driver, VmRef vm) {
        this.driver = driver;
        this.vm = vm;
    }

    /** A local driver with its state in {@code folder}, one image and one VM named {@code name}. */
    static LocalStandby create(Path folder, String name) throws IOException {
        DriverProvider provider = ServiceLoader.load(DriverProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.kind().equals("local")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the local driver is not on the class path"));
        Path state = Files.createDirectories(folder.resolve("state"));
        HypervisorDriver driver = provider.connect(new DriverConfig("bench", "local:" + state.toAbsolutePath(), Map.of(),
                Optional.empty(), state));
        Path source = Files.createDirectories(folder.resolve("image"));
        Files.writeString(source.resolve("duplex-image.properties"), "version=1.0\ncommand=true\n");
        ImageRef image = driver.registerImage(new ImageSpec(name + "-image", "1.0", source.toString(), Map.of()));
        VmRef vm = driver.createVm(new VmSpec(name, image, List.of(), Map.of()));
        return new LocalStandby(driver, vm);
    }

    EnvironmentStore environment() {
        return driver.environment(vm);
    }

    @Override
    public void close() {
        driver.deleteVm(vm);
        driver.close();
    }
}
