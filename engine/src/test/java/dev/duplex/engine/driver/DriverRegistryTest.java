package dev.duplex.engine.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drivers in plugin folders are real jars compiled here, loaded through their own class loaders. */
class DriverRegistryTest {
    @TempDir
    Path dir;

    @Test
    void findsADriverDroppedIntoAPluginFolderWithItsOwnClassLoader() throws Exception {
        Path plugins = dir.resolve("plugins");
        buildDriverJar("acme", plugins.resolve("acme").resolve("acme-driver.jar"));

        DriverRegistry registry = DriverRegistry.discover(getClass().getClassLoader(), Optional.of(plugins));

        InstalledDriver acme = registry.require("acme");
        assertEquals(plugins.resolve("acme").resolve("acme-driver.jar").toString(), acme.source());
        assertTrue(acme.provider().getClass().getClassLoader() instanceof PluginClassLoader);
        assertNotSame(getClass().getClassLoader(), acme.provider().getClass().getClassLoader());
        // The plugin implements the very SPI interface the engine sees.
        assertTrue(acme.provider() instanceof DriverProvider);
        assertEquals("ENVIRONMENT_STORE", acme.provider().capabilities().describe());
    }

    @Test
    void pluginSeesTheSpiButNotDuplexLibraries() throws Exception {
        Path plugins = dir.resolve("plugins");
        buildDriverJar("acme", plugins.resolve("acme").resolve("acme-driver.jar"));
        ClassLoader loader = DriverRegistry.discover(getClass().getClassLoader(), Optional.of(plugins))
                .require("acme").provider().getClass().getClassLoader();

        assertEquals(DriverProvider.class, loader.loadClass(DriverProvider.class.getName()));
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.google.inject.Guice"));
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass(DriverRegistry.class.getName()));
    }

    @Test
    void twoDriversOfTheSameKindAreAnErrorNamingBothJars() throws Exception {
        Path plugins = dir.resolve("plugins");
        buildDriverJar("acme", plugins.resolve("a").resolve("first.jar"));
        buildDriverJar("acme", plugins.resolve("b").resolve("second.jar"));

        DriverLoadException e = assertThrows(DriverLoadException.class,
                () -> DriverRegistry.discover(getClass().getClassLoader(), Optional.of(plugins)));

        assertTrue(e.getMessage().contains("'acme'"), e.getMessage());
        assertTrue(e.getMessage().contains("first.jar") && e.getMessage().contains("second.jar"), e.getMessage());
    }

    @Test
    void brokenJarIsNamedInOneLine() throws Exception {
        Path jar = dir.resolve("plugins").resolve("x").resolve("broken.jar");
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "this is not a zip file");

        DriverLoadException e = assertThrows(DriverLoadException.class,
                () -> DriverRegistry.discover(getClass().getClassLoader(), Optional.of(dir.resolve("plugins"))));

        assertTrue(e.getMessage().contains(jar.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void jarNamingAMissingProviderClassIsNamed() throws Exception {
        Path jar = dir.resolve("plugins").resolve("y").resolve("bad-service.jar");
        Files.createDirectories(jar.getParent());
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/" + DriverProvider.class.getName()));
            out.write("com.example.Missing\n".getBytes(StandardCharsets.UTF_8));
        }

        DriverLoadException e = assertThrows(DriverLoadException.class,
                () -> DriverRegistry.discover(getClass().getClassLoader(), Optional.of(dir.resolve("plugins"))));

        assertTrue(e.getMessage().contains("com.example.Missing"), e.getMessage());
        assertTrue(e.getMessage().contains(jar.getParent().toString()), e.getMessage());
    }

    @Test
    void unknownKindListsTheInstalledOnes() throws Exception {
        Path plugins = dir.resolve("plugins");
        buildDriverJar("acme", plugins.resolve("acme").resolve("acme.jar"));
        DriverRegistry registry = DriverRegistry.discover(getClass().getClassLoader(), Optional.of(plugins));

        DriverLoadException e = assertThrows(DriverLoadException.class, () -> registry.require("vmware"));
        assertTrue(e.getMessage().contains("'vmware'") && e.getMessage().contains("acme"), e.getMessage());
    }

    /** Compiles a minimal provider of the given kind against the api jar and packs it as a plugin jar. */
    private void buildDriverJar(String kind, Path jar) throws IOException, URISyntaxException {
        Path src = dir.resolve("src-" + kind + "-" + jar.getFileName());
        Path classes = dir.resolve("classes-" + kind + "-" + jar.getFileName());
        Path source = src.resolve("com/acme/AcmeProvider.java");
        Files.createDirectories(source.getParent());
        Files.createDirectories(classes);
        Files.writeString(source, """
                package com.acme;
                import dev.duplex.api.*;
                public final class AcmeProvider implements DriverProvider {
                    public String kind() { return "%s"; }
                    public Capabilities capabilities() { return Capabilities.of(Capability.ENVIRONMENT_STORE); }
                    public HypervisorDriver connect(DriverConfig config) {
                        throw new UnreachableException("acme is a test plugin", null);
                    }
                }
                """.formatted(kind));
        String apiClasses = Path.of(DriverProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        int status = ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "--release", "17", "-cp", apiClasses, "-d", classes.toString(), source.toString());
        assertEquals(0, status, "test plugin did not compile");
        Files.createDirectories(jar.getParent());
        try (var out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + DriverProvider.class.getName()));
            write(out, "com.acme.AcmeProvider\n");
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
