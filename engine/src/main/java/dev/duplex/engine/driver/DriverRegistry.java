package dev.duplex.engine.driver;

import dev.duplex.api.DriverProvider;
import dev.duplex.api.DuplexPlugin;
import dev.duplex.api.role.RoleControllerProvider;
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
 * The drivers and role-controller types of this installation: those on the class path, and those
 * of each {@code plugins/<name>/} folder, each folder with its own {@link PluginClassLoader}. A
 * plugin declares a {@link DuplexPlugin} (or, as older plugins do, bare {@link DriverProvider}s).
 * Two drivers of the same kind, or two role-controller providers of one type, are an error
 * naming both sources.
 */
public final class DriverRegistry {
    private final Optional<Path> pluginsDirectory;
    /** What the class path offers; with {@link #complete}, the plugins too. */
    private final Discovery classPath;
    /** Every driver and role-controller type: set at once by {@link #discover}, on first need by {@link #onDemand}. */
    private Discovery complete;

    private DriverRegistry(Discovery classPath, Optional<Path> pluginsDirectory, Discovery complete) {
        this.classPath = classPath;
        this.pluginsDirectory = pluginsDirectory;
        this.complete = complete;
    }

    /**
     * Finds the drivers of the class path and of every plugin folder now.
     *
     * @param classPathLoader the loader Duplex runs in (drivers bundled in {@code lib/})
     * @param pluginsDirectory the installation's {@code plugins/} folder, which may be absent
     * @throws DriverLoadException for a broken plugin or a duplicate kind
     */
    public static DriverRegistry discover(ClassLoader classPathLoader, Optional<Path> pluginsDirectory) {
        Discovery classPath = Discovery.of(classPathLoader);
        return new DriverRegistry(classPath, pluginsDirectory, classPath.withPlugins(pluginsDirectory));
    }

    /**
     * Finds the drivers of the class path now and opens the plugin folders only when something
     * needs them: a driver kind the class path lacks, the list of all drivers, or the role-controller
     * types. A CLI command on a local or KVM endpoint so never opens the VMware or OpenStack jars
     * (their class loaders cost more than the rest of a warm {@code duplex vm list}). A broken
     * plugin, or a plugin repeating a class-path kind, is reported when the plugins are opened.
     *
     * @throws DriverLoadException for a broken driver on the class path
     */
    public static DriverRegistry onDemand(ClassLoader classPathLoader, Optional<Path> pluginsDirectory) {
        return new DriverRegistry(Discovery.of(classPathLoader), pluginsDirectory, null);
    }

    /** The drivers, by kind, in discovery order. */
    public List<InstalledDriver> drivers() {
        return List.copyOf(complete().drivers.values());
    }

    /** The role-controller types plugins add to the built-in {@code exec} and {@code http}. */
    public List<RoleControllerProvider> roleControllerProviders() {
        return List.copyOf(complete().roleControllers);
    }

    /** The driver of a kind, if installed. */
    public Optional<InstalledDriver> driver(String kind) {
        InstalledDriver onClassPath = classPath.drivers.get(kind);
        return onClassPath != null ? Optional.of(onClassPath) : Optional.ofNullable(complete().drivers.get(kind));
    }

    /** The driver of a kind, or an error that lists the installed kinds. */
    public InstalledDriver require(String kind) {
        return driver(kind).orElseThrow(() -> new DriverLoadException(
                "No driver of kind '" + kind + "' is installed (installed: " + String.join(", ", complete().drivers.keySet())
                        + "); drop its jar into plugins/" + kind + "/", null));
    }

    private synchronized Discovery complete() {
        if (complete == null) {
            complete = classPath.withPlugins(pluginsDirectory); // a failure is thrown again at the next need
        }
        return complete;
    }

    /** Drivers and role-controller types found so far, with where each came from, to refuse duplicates. */
    private record Discovery(Map<String, InstalledDriver> drivers, Map<String, String> roleTypes,
            List<RoleControllerProvider> roleControllers) {
        static Discovery of(ClassLoader classPathLoader) {
            Discovery found = new Discovery(new LinkedHashMap<>(), new LinkedHashMap<>(), new ArrayList<>());
            found.addAll(classPathLoader, "class path");
            return found;
        }

        /** A copy of this, plus every plugin folder's drivers and role controllers. */
        Discovery withPlugins(Optional<Path> pluginsDirectory) {
            Discovery found = new Discovery(new LinkedHashMap<>(drivers), new LinkedHashMap<>(roleTypes), new ArrayList<>(roleControllers));
            if (pluginsDirectory.isPresent() && Files.isDirectory(pluginsDirectory.get())) {
                for (Path pluginFolder : children(pluginsDirectory.get())) {
                    if (Files.isDirectory(pluginFolder)) {
                        pluginLoader(pluginFolder).ifPresent(loader -> found.addAll(loader, pluginFolder.toString()));
                    }
                }
            }
            return new Discovery(Collections.unmodifiableMap(found.drivers), Map.copyOf(found.roleTypes), List.copyOf(found.roleControllers));
        }

        /** What one class loader offers: its plugins' drivers and role controllers, and bare driver providers. */
        private void addAll(ClassLoader loader, String where) {
            for (DuplexPlugin plugin : load(DuplexPlugin.class, loader, where)) {
                String source = sourceOf(plugin);
                List<DriverProvider> providers;
                List<RoleControllerProvider> roles;
                try {
                    providers = List.copyOf(plugin.driverProviders());
                    roles = List.copyOf(plugin.roleControllerProviders());
                } catch (RuntimeException | LinkageError e) {
                    throw new DriverLoadException("Plugin " + plugin.getClass().getName() + " from " + source + " failed to list what it"
                            + " provides: " + rootMessage(e) + "; fix or remove it", e);
                }
                for (DriverProvider provider : providers) {
                    add(new InstalledDriver(provider, source));
                }
                for (RoleControllerProvider role : roles) {
                    String type = role.type();
                    if (type.equals("exec") || type.equals("http")) {
                        throw new DriverLoadException("Plugin " + source + " provides role controller type '" + type
                                + "', which is built in; rename its type", null);
                    }
                    String previous = roleTypes.putIfAbsent(type, source);
                    if (previous != null) {
                        throw new DriverLoadException("Two role controller providers of type '" + type + "': " + previous + " and "
                                + source + "; remove one of them", null);
                    }
                    roleControllers.add(PluginContext.wrap(RoleControllerProvider.class, role));
                }
            }
            for (DriverProvider provider : load(DriverProvider.class, loader, where)) {
                add(new InstalledDriver(provider, sourceOf(provider)));
            }
        }

        private void add(InstalledDriver driver) {
            InstalledDriver previous = drivers.putIfAbsent(driver.kind(), driver);
            if (previous != null) {
                throw new DriverLoadException("Two drivers of kind '" + driver.kind() + "': " + previous.source()
                        + " and " + driver.source() + "; remove one of them", null);
            }
        }
    }

    /** A class loader over the folder's jars; none for a folder without jars. */
    private static Optional<ClassLoader> pluginLoader(Path pluginFolder) {
        List<Path> jars = children(pluginFolder).stream()
                .filter(p -> p.getFileName().toString().endsWith(".jar"))
                .toList();
        if (jars.isEmpty()) {
            return Optional.empty();
        }
        for (Path jar : jars) {
            checkReadableJar(jar);
        }
        URL[] urls = jars.stream().map(DriverRegistry::toUrl).toArray(URL[]::new);
        return Optional.of(new PluginClassLoader(pluginFolder.getFileName().toString(), urls, DriverProvider.class.getClassLoader()));
    }

    /** The services {@code loader} declares (a plugin loader reads service files of its own jars only). */
    private static <T> List<T> load(Class<T> type, ClassLoader loader, String where) {
        List<T> services = new ArrayList<>();
        try {
            for (T service : ServiceLoader.load(type, loader)) {
                services.add(service);
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new DriverLoadException("Cannot load a " + (type == DuplexPlugin.class ? "plugin" : "driver") + " from " + where
                    + ": " + rootMessage(e), e);
        }
        return services;
    }

    private static void checkReadableJar(Path jar) {
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            zip.size();
        } catch (IOException e) {
            throw new DriverLoadException("Cannot load plugin jar " + jar + ": not a readable jar (" + rootMessage(e)
                    + "); replace or remove it", e);
        }
    }

    private static String sourceOf(Object provider) {
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
