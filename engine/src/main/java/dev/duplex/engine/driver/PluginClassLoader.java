package dev.duplex.engine.driver;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

/**
 * The class loader of one plugin folder. Its parent is the platform loader, so a plugin sees
 * the JDK and its own jars but none of Duplex's libraries; only the packages shared with the
 * application are delegated to the loader Duplex itself was loaded by: the SPI
 * ({@code dev.duplex.api}), so that a plugin's classes implement the very interfaces the engine
 * calls (Trino's PluginClassLoader), and the SLF4J API, so that a plugin logs through Duplex's own
 * logging. A plugin's own copy of slf4j-api would find no provider in its folder and print
 * "SLF4J(W): No SLF4J providers were found" on every command.
 */
final class PluginClassLoader extends URLClassLoader {
    private static final List<String> SHARED_PACKAGES = List.of("dev.duplex.api.", "org.slf4j.");

    private final ClassLoader spiLoader;

    PluginClassLoader(String pluginName, URL[] jars, ClassLoader spiLoader) {
        super("plugin-" + pluginName, jars, ClassLoader.getPlatformClassLoader());
        this.spiLoader = spiLoader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (SHARED_PACKAGES.stream().anyMatch(name::startsWith)) {
            return spiLoader.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        // Service files are looked up in the plugin's own jars only, so the class path's
        // drivers are not found a second time through this loader.
        if (name.startsWith("META-INF/services/")) {
            return findResource(name);
        }
        return super.getResource(name);
    }

    @Override
    public java.util.Enumeration<URL> getResources(String name) throws java.io.IOException {
        if (name.startsWith("META-INF/services/")) {
            return findResources(name);
        }
        return super.getResources(name);
    }
}
