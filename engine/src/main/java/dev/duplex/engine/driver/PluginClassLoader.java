package dev.duplex.engine.driver;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * The class loader of one plugin folder. Its parent is the platform loader, so a plugin sees
 * the JDK and its own jars but none of Duplex's libraries; only the SPI packages
 * ({@code dev.duplex.api}) are delegated to the loader Duplex itself was loaded by, so that a
 * plugin's classes implement the very interfaces the engine calls (Trino's PluginClassLoader).
 */
final class PluginClassLoader extends URLClassLoader {
    private static final String SPI_PACKAGE = "dev.duplex.api.";

    private final ClassLoader spiLoader;

    PluginClassLoader(String pluginName, URL[] jars, ClassLoader spiLoader) {
        super("plugin-" + pluginName, jars, ClassLoader.getPlatformClassLoader());
        this.spiLoader = spiLoader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SPI_PACKAGE)) {
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
