package dev.duplex.engine.driver;

import dev.duplex.api.DriverProvider;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The drivers of this installation: those on the class path, and those in each
 * {@code plugins/<name>/} folder, each folder with its own {@link PluginClassLoader}.
 * Two drivers of the same kind are an error naming both sources.
 */
public final class DriverRegistry {
    private final Map<String, InstalledDriver> drivers;

    private DriverRegistry(Map<String, InstalledDriver> drivers) {
        this.drivers = Collections.unmodifiableMap(drivers);
    }

    /**
     * Finds the drivers.
     *
     * @param classPathLoader the loader Duplex runs in (drivers bundled in {@code lib/})
     * @param pluginsDirectory the installation's {@code plugins/} folder, which may be absent
     * @throws DriverLoadException for a broken plugin or a duplicate kind
     */
    public static DriverRegistry discover(ClassLoader classPathLoader, Optional<Path> pluginsDirectory) {
        Map<String, InstalledDriver> found = new LinkedHashMap<>();
        for (DriverProvider provider : load(ServiceLoader.load(DriverProvider.class, classPathLoader), "class path")) {
            add(found, new InstalledDriver(provider, sourceOf(provider)));
        }
        if (pluginsDirectory.isPresent() && Files.isDirectory(pluginsDirectory.get())) {
            for (Path pluginFolder : children(pluginsDirectory.get())) {
                if (Files.isDirectory(pluginFolder)) {
                    for (InstalledDriver driver : loadPlugin(pluginFolder)) {
                        add(found, driver);
                    }
                }
            }
        }
        return new DriverRegistry(found);
    }

    /** The drivers, by kind, in discovery order. */
    public List<InstalledDriver> drivers() {
        return List.copyOf(drivers.values());
    }

    /** The driver of a kind, if installed. */
    public Optional<InstalledDriver> driver(String kind) {
        return Optional.ofNullable(drivers.get(kind));
    }

    /** The driver of a kind, or an error that lists the installed kinds. */
    public InstalledDriver require(String kind) {
        return driver(kind).orElseThrow(() -> new DriverLoadException(
                "No driver of kind '" + kind + "' is installed (installed: " + String.join(", ", drivers.keySet())
                        + "); drop its jar into plugins/" + kind + "/", null));
    }

    private static void add(Map<String, InstalledDriver> found, InstalledDriver driver) {
        InstalledDriver previous = found.putIfAbsent(driver.kind(), driver);
        if (previous != null) {
            throw new DriverLoadException("Two drivers of kind '" + driver.kind() + "': " + previous.source()
                    + " and " + driver.source() + "; remove one of them", null);
        }
    }

    private static List<InstalledDriver> loadPlugin(Path pluginFolder) {
        List<Path> jars = children(pluginFolder).stream()
                .filter(p -> p.getFileName().toString().endsWith(".jar"))
                .toList();
        if (jars.isEmpty()) {
            return List.of();
        }
        for (Path jar : jars) {
            checkReadableJar(jar);
        }
        URL[] urls = jars.stream().map(DriverRegistry::toUrl).toArray(URL[]::new);
        var loader = new PluginClassLoader(pluginFolder.getFileName().toString(), urls, DriverProvider.class.getClassLoader());
        String source = pluginFolder.toString();
        List<InstalledDriver> result = new ArrayList<>();
        for (DriverProvider provider : load(ServiceLoader.load(DriverProvider.class, loader), source)) {
            result.add(new InstalledDriver(provider, sourceOf(provider)));
        }
        return result;
    }

    private static List<DriverProvider> load(ServiceLoader<DriverProvider> loader, String where) {
        List<DriverProvider> providers = new ArrayList<>();
        try {
            for (DriverProvider provider : loader) {
                providers.add(provider);
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new DriverLoadException("Cannot load a driver from " + where + ": " + rootMessage(e), e);
        }
        return providers;
    }

    private static void checkReadableJar(Path jar) {
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            zip.size();
        } catch (IOException e) {
            throw new DriverLoadException("Cannot load plugin jar " + jar + ": not a readable jar (" + rootMessage(e)
                    + "); replace or remove it", e);
        }
    }

    private static String sourceOf(DriverProvider provider) {
        CodeSource codeSource = provider.getClass().getProtectionDomain().getCodeSource();
        if (codeSource == null || codeSource.getLocation() == null) {
            return "class path";
        }
        try {
            return Path.of(codeSource.getLocation().toURI()).toString();
        } catch (Exception e) {
            return codeSource.getLocation().toString();
        }
    }

    private static List<Path> children(Path folder) {
        try (Stream<Path> list = Files.list(folder)) {
            return list.sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new DriverLoadException("Cannot list plugin folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static URL toUrl(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new DriverLoadException("Bad plugin path " + jar, e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
