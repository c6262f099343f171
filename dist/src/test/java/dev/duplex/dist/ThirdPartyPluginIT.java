package dev.duplex.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's plugin, installed the way docs/writing-a-driver.md says: the example plugin's
 * jar is dropped into {@code plugins/process/} of the unpacked release, and the release finds
 * it, lists it, and drives it through an endpoint.
 */
class ThirdPartyPluginIT {
    @TempDir
    Path dir;

    private Path release;
    private Path home;

    @BeforeEach
    void installThePluginIntoTheRelease() throws IOException, InterruptedException {
        Path tarball;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            tarball = files.filter(p -> p.getFileName().toString().matches("duplex-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no duplex-*.tar.gz in target: run 'package' first"));
        }
        Path unpacked = Files.createDirectories(dir.resolve("release"));
        assertEquals(0, run("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", unpacked.toString()).exitCode());
        try (Stream<Path> folders = Files.list(unpacked)) {
            release = folders.findFirst().orElseThrow();
        }
        home = dir.resolve("home");
        Path jar = Path.of("..", "examples", "driver-plugin", "target", "process-driver.jar");
        assertTrue(Files.isRegularFile(jar), "the example plugin is built before dist: " + jar.toAbsolutePath());
        Path folder = Files.createDirectories(release.resolve("plugins").resolve("process"));
        Path installed = Files.copy(jar, folder.resolve("process-driver.jar"));
        Files.setPosixFilePermissions(installed, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterEach
    void stopTheDatabase() throws IOException, InterruptedException {
        if (release != null) {
            duplex("db", "stop");
        }
    }

    @Test
    void theReleaseListsThePluginsDriverAndConnectsAnEndpointThroughIt() throws IOException, InterruptedException {
        Result drivers = duplex("drivers");
        assertEquals(0, drivers.exitCode(), drivers.toString());
        // Loading the VMware and OpenStack plugins must not print SLF4J's "No SLF4J providers were found":
        // plugins log through Duplex's own SLF4J, and their folders hold no slf4j-api of their own.
        assertFalse(drivers.err().contains("SLF4J"), "no SLF4J warning on stderr: " + drivers);
        for (String plugin : List.of("vmware", "openstack")) {
            try (Stream<Path> jars = Files.list(release.resolve("plugins").resolve(plugin))) {
                List<String> names = jars.map(p -> p.getFileName().toString()).toList();
                assertTrue(names.stream().noneMatch(j -> j.startsWith("slf4j-api")), "no slf4j-api in plugins/" + plugin + ": " + names);
            }
        }
        String line = drivers.out().lines().filter(l -> l.startsWith("process")).findFirst().orElse("");
        assertTrue(line.contains("MOUNT_AT_BOOT") && line.contains("plugins/process/process-driver.jar"),
                "listed with its capabilities and where it was loaded from: " + drivers);

        String vmware = drivers.out().lines().filter(l -> l.startsWith("vmware")).findFirst().orElse("");
        assertTrue(vmware.contains("plugins/vmware/duplex-driver-vmware-"), "the release's own VMware plugin: " + drivers);
        String openstack = drivers.out().lines().filter(l -> l.startsWith("openstack")).findFirst().orElse("");
        assertTrue(openstack.contains("plugins/openstack/duplex-driver-openstack-"), "the release's own OpenStack plugin: " + drivers);
        try (Stream<Path> lib = Files.list(release.resolve("lib")); Stream<Path> vmwarePlugin = Files.list(release.resolve("plugins/vmware"))) {
            List<String> libJars = lib.map(p -> p.getFileName().toString()).toList();
            assertTrue(libJars.stream().noneMatch(j -> j.startsWith("yavijava") || j.startsWith("jaxb-api") || j.startsWith("log4j-over")
                    || j.startsWith("openstack4j")),
                    "the plugin's libraries stay out of lib/: " + libJars);
            Map<String, List<String>> byArtifact = libJars.stream().filter(j -> j.endsWith(".jar"))
                    .collect(java.util.stream.Collectors.groupingBy(j -> j.replaceFirst("-\\d[^-]*(-[a-z]+)?\\.jar$", "")));
            byArtifact.values().removeIf(versions -> versions.size() < 2);
            assertEquals(Map.of(), byArtifact, "one version of each library in lib/ (a plugin's older Guava once won there)");
            List<String> pluginJars = vmwarePlugin.map(p -> p.getFileName().toString()).toList();
            assertTrue(pluginJars.stream().anyMatch(j -> j.startsWith("yavijava")), pluginJars.toString());
            assertTrue(pluginJars.stream().noneMatch(j -> j.startsWith("log4j-1") || j.startsWith("lombok") || j.startsWith("duplex-api")),
                    "no log4j 1.x, no lombok, no second copy of the SPI: " + pluginJars);
        }

        Result added = duplex("endpoint", "add", "lab", "--driver", "process", "--uri", "process:");
        assertEquals(0, added.exitCode(), added.toString());
        Result refused = duplex("endpoint", "add", "lab2", "--driver", "process", "--uri", "process:", "--property", "color=red");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("unknown property 'color'"), "the plugin's own refusal reaches the operator: " + refused);
    }

    private Result duplex(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(release.resolve("bin/duplex").toString());
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private Result run(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("DUPLEX_"));
        if (home != null) {
            env.put("DUPLEX_HOME", home.toString());
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(List.of(command) + " did not end within 2 minutes");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }
}
