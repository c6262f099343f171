package dev.duplex.example.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image folders, booted the way the local driver boots a VM: copy into a root, link the volume, sh -c. */
class ImageFoldersTest {
    @TempDir
    Path temp;

    @Test
    void writesTwoImagesWithManifestAndJar() throws IOException {
        List<Path> folders = ImageFolders.write(jar(), temp.resolve("images"));
        assertEquals(List.of(temp.resolve("images/v1"), temp.resolve("images/v2")), folders);
        for (String version : ImageFolders.VERSIONS) {
            Properties manifest = new Properties();
            try (InputStream in = Files.newInputStream(temp.resolve("images").resolve(version).resolve(ImageFolders.MANIFEST))) {
                manifest.load(in);
            }
            assertEquals(version, manifest.getProperty("version"));
            assertTrue(manifest.getProperty("command").contains("-cp kv.jar dev.duplex.example.kv.KvServer"));
            assertTrue(Files.isRegularFile(temp.resolve("images").resolve(version).resolve("kv.jar")));
        }
    }

    @Test
    void v2BootsOnTheVolumeV1Wrote() throws Exception {
        ImageFolders.write(jar(), temp.resolve("images"));
        Path volume = Files.createDirectories(temp.resolve("volume"));
        int port = KvProcess.freePort();

        Process v1 = boot("v1", volume, port);
        try {
            KvProcess.await("v1 healthy", Duration.ofSeconds(20), () -> healthy(port));
            assertEquals("v1", get(port, "/health").field("version"));
            assertEquals(200, MiniHttp.send("127.0.0.1", port, "PUT", "/kv/greeting", "from v1".getBytes(), 2000).status());
        } finally {
            v1.destroy();
            v1.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(Files.isRegularFile(volume.resolve(KvLog.LOG_FILE)), "the database is on the volume, not in the root");
        String before = KvLog.checksum(volume).sha256();

        Process v2 = boot("v2", volume, port);
        try {
            KvProcess.await("v2 healthy", Duration.ofSeconds(20), () -> healthy(port));
            assertEquals("v2", get(port, "/health").field("version"));
            assertEquals("ACT", get(port, "/health").field("role"));
            assertEquals("from v1", get(port, "/kv/greeting").text());
            assertEquals(before, get(port, "/checksum").field("checksum"));
        } finally {
            v2.destroy();
            v2.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theBrokenImageRunsButFailsItsHealthCheck() throws Exception {
        ImageFolders.writeBroken(jar(), temp.resolve("images"));
        int port = KvProcess.freePort();
        Process broken = boot(ImageFolders.BROKEN_VERSION, Files.createDirectories(temp.resolve("volume")), port);
        try {
            KvProcess.await("an answer", Duration.ofSeconds(20), () -> {
                try {
                    return "failing".equals(get(port, "/health").field("status"));
                } catch (IOException e) {
                    return false;
                }
            });
            MiniHttp.Response health = get(port, "/health");
            assertEquals(503, health.status());
            assertEquals(ImageFolders.BROKEN_VERSION, health.field("version"));
        } finally {
            broken.destroy();
            broken.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What the local driver does: a fresh root with the image's files, the volume linked at db, the command run there. */
    private Process boot(String version, Path volume, int port) throws IOException {
        Path root = Files.createDirectories(temp.resolve("root-" + version));
        Path image = temp.resolve("images").resolve(version);
        try (Stream<Path> files = Files.list(image)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, root.resolve(file.getFileName()));
            }
        }
        Files.createSymbolicLink(root.resolve("db"), volume);
        Properties manifest = new Properties();
        try (InputStream in = Files.newInputStream(image.resolve(ImageFolders.MANIFEST))) {
            manifest.load(in);
        }
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", manifest.getProperty("command")).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(temp.resolve("console-" + version + ".log").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("DUPLEX_VM_ROOT", root.toString());
        builder.environment().put("DUPLEX_VM_NAME", "vm-" + version);
        builder.environment().put("DUPLEX_IMAGE_VERSION", version);
        builder.environment().put("KV_PORT", String.valueOf(port));
        builder.environment().put("KV_ROLE", "ACT");
        return builder.start();
    }

    private static boolean healthy(int port) {
        try {
            return get(port, "/health").status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static MiniHttp.Response get(int port, String target) throws IOException {
        return MiniHttp.send("127.0.0.1", port, "GET", target, null, 2000);
    }

    /** kv.jar from the compiled classes (the test phase runs before the jar is packaged). */
    private Path jar() throws IOException {
        Path jar = temp.resolve("kv.jar");
        Path classes = KvProcess.classes();
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                Files.copy(path, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
