package dev.duplex.engine.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.DriverProvider;
import dev.duplex.api.DuplexPlugin;
import dev.duplex.engine.role.RoleControllers;
import java.util.List;
import java.util.Map;
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

    @Test
    void aPluginEntryPointAddsItsDriverAndItsRoleControllerType() throws Exception {
        Path plugins = dir.resolve("plugins");
        buildPluginJar("acme", "acme-ip", plugins.resolve("acme").resolve("acme-plugin.jar"));

        DriverRegistry registry = DriverRegistry.discover(getClass().getClassLoader(), Optional.of(plugins));

        assertTrue(registry.require("acme").provider().getClass().getClassLoader() instanceof PluginClassLoader);
        assertEquals(List.of("acme-ip"), registry.roleControllerProviders().stream().map(p -> p.type()).toList());
        RoleControllers roles = new RoleControllers(registry.roleControllerProviders());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> roles.create(Map.of("type", "acme-ip")));
        assertEquals("acme-ip needs 'address'; called with context loader plugin-acme", e.getMessage(),
                "the call reached the plugin's provider, with the plugin's context class loader");
    }

    @Test
    void aPluginMayNotTakeABuiltInOrAnotherPluginsRoleControllerType() throws Exception {
        Path builtIn = dir.resolve("built-in");
        buildPluginJar("acme", "http", builtIn.resolve("acme").resolve("acme.jar"));
        DriverLoadException http = assertThrows(DriverLoadException.class,
                () -> DriverRegistry.discover(getClass().getClassLoader(), Optional.of(builtIn)));
        assertTrue(http.getMessage().contains("'http', which is built in"), http.getMessage());

        Path twice = dir.resolve("twice");
        buildPluginJar("acme", "vip", twice.resolve("a").resolve("a.jar"));
        buildPluginJar("other", "vip", twice.resolve("b").resolve("b.jar"));
        DriverLoadException duplicate = assertThrows(DriverLoadException.class,
                () -> DriverRegistry.discover(getClass().getClassLoader(), Optional.of(twice)));
        assertTrue(duplicate.getMessage().contains("'vip'") && duplicate.getMessage().contains(twice.resolve("a").toString())
                && duplicate.getMessage().contains(twice.resolve("b").toString()), duplicate.getMessage());
    }

    /**
     * The CLI's registry opens no plugin folder while the class path has the kind asked for (a
     * broken plugin goes unnoticed), and opens them all for another kind or the list of drivers.
     */
    @Test
    void onDemandOpensThePluginFoldersOnlyForAKindTheClassPathLacks() throws Exception {
        Path bundled = dir.resolve("lib").resolve("bundled-driver.jar");
        buildDriverJar("bundled", bundled);
        Path plugins = dir.resolve("plugins");
        buildDriverJar("acme", plugins.resolve("acme").resolve("acme.jar"));
        Path broken = plugins.resolve("zz").resolve("broken.jar");
        Files.createDirectories(broken.getParent());
        Files.writeString(broken, "this is not a zip file");
        try (java.net.URLClassLoader classPath = new java.net.URLClassLoader(new java.net.URL[] {bundled.toUri().toURL()},
                DriverProvider.class.getClassLoader())) {
            DriverRegistry registry = DriverRegistry.onDemand(classPath, Optional.of(plugins));

            assertEquals(bundled.toString(), registry.require("bundled").source());
            DriverLoadException e = assertThrows(DriverLoadException.class, () -> registry.require("acme"));
            assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
            assertThrows(DriverLoadException.class, registry::drivers);

            Files.delete(broken); // fixed: the next need opens the folders again
            List<String> kinds = registry.drivers().stream().map(InstalledDriver::kind).toList();
            assertTrue(kinds.containsAll(List.of("bundled", "acme")) && kinds.indexOf("bundled") < kinds.indexOf("acme"), kinds.toString());
            assertTrue(registry.require("acme").provider().getClass().getClassLoader() instanceof PluginClassLoader);
            assertEquals(bundled.toString(), registry.require("bundled").source());
        }
    }

    /** A plugin with a {@code DuplexPlugin} entry point: one driver and one role-controller type. */
    private void buildPluginJar(String kind, String roleType, Path jar) throws IOException, URISyntaxException {
        Path src = dir.resolve("src-plugin-" + kind + "-" + jar.getFileName());
        Path classes = dir.resolve("classes-plugin-" + kind + "-" + jar.getFileName());
        Path source = src.resolve("com/acme/AcmePlugin.java");
        Files.createDirectories(source.getParent());
        Files.createDirectories(classes);
        Files.writeString(source, """
                package com.acme;
                import dev.duplex.api.*;
                import dev.duplex.api.role.*;
                import java.util.List;
                import java.util.Map;
                public final class AcmePlugin implements DuplexPlugin {
                    public List<DriverProvider> driverProviders() {
                        return List.of(new DriverProvider() {
                            public String kind() { return "%s"; }
                            public Capabilities capabilities() { return Capabilities.of(); }
                            public HypervisorDriver connect(DriverConfig config) {
                                throw new UnreachableException("acme is a test plugin", null);
                            }
                        });
                    }
                    public List<RoleControllerProvider> roleControllerProviders() {
                        return List.of(new RoleControllerProvider() {
                            public String type() { return "%s"; }
                            public RoleController create(Map<String, String> settings) {
                                throw new IllegalArgumentException(type() + " needs 'address'; called with context loader "
                                        + Thread.currentThread().getContextClassLoader().getName());
                            }
                        });
                    }
                }
                """.formatted(kind, roleType));
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
            out.putNextEntry(new JarEntry("META-INF/services/" + DuplexPlugin.class.getName()));
            write(out, "com.acme.AcmePlugin\n");
        }
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
