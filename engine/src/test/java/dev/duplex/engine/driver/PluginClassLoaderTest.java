package dev.duplex.engine.driver;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URL;
import org.junit.jupiter.api.Test;

class PluginClassLoaderTest {
    private final ClassLoader application = PluginClassLoaderTest.class.getClassLoader();

    @Test
    void aPluginSharesTheApplicationsSpiAndSlf4j() throws ClassNotFoundException, IOException {
        try (PluginClassLoader plugin = new PluginClassLoader("test", new URL[0], application)) {
            assertSame(dev.duplex.api.HypervisorDriver.class, plugin.loadClass("dev.duplex.api.HypervisorDriver"));
            // The plugin logs through the application's SLF4J and so its provider, never a copy of its own without one.
            assertSame(org.slf4j.LoggerFactory.class, plugin.loadClass("org.slf4j.LoggerFactory"));
        }
    }

    @Test
    void aPluginSeesNoneOfTheApplicationsOtherLibraries() throws IOException {
        try (PluginClassLoader plugin = new PluginClassLoader("test", new URL[0], application)) {
            assertThrows(ClassNotFoundException.class, () -> plugin.loadClass(PluginClassLoaderTest.class.getName()));
            assertThrows(ClassNotFoundException.class, () -> plugin.loadClass("com.google.inject.Guice"));
        }
    }
}
