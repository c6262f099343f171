package dev.duplex.example.kv;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Writes the two image folders "v1" and "v2" the local driver registers as the pair's old and new
 * image. Each holds {@code duplex-image.properties} ({@code version}, {@code command}), {@code kv.jar}
 * and a {@code version} file. The local driver copies the folder into the VM's root and runs the
 * command there with {@code /bin/sh -c}; the VM's environment ({@code env.KV_PORT}, {@code env.KV_PEER},
 * {@code env.KV_ROLE} from the VM spec, plus {@code DUPLEX_VM_ROOT} and {@code DUPLEX_IMAGE_VERSION})
 * configures the server, whose database defaults to {@code $DUPLEX_VM_ROOT/db}, the linked volume.
 *
 * <p>Both versions run the same jar: what changes across the upgrade is the reported version, and what
 * the demo proves is that v2 starts on v1's database as it is (same log format), without a copy.
 *
 * <p>Standalone: {@code java -cp kv.jar dev.duplex.example.kv.ImageFolders OUT_DIR [KV_JAR]}.
 */
public final class ImageFolders {
    /** The versions written. */
    public static final List<String> VERSIONS = List.of("v1", "v2");
    /** The manifest the local driver reads. */
    public static final String MANIFEST = "duplex-image.properties";

    /**
     * The VM's command: Java from {@code $JAVA_HOME} if the VM has one, else from the PATH; flags for a
     * fast start of a small service (class data sharing, C1 only, serial GC, a small heap).
     */
    public static final String COMMAND = "exec \"${JAVA_HOME:+$JAVA_HOME/bin/}java\" -Xshare:auto -XX:TieredStopAtLevel=1"
            + " -XX:+UseSerialGC -Xmx64m -cp kv.jar dev.duplex.example.kv.KvServer";

    private ImageFolders() {
    }

    /** Version of the deliberately broken image written by {@link #writeBroken}. */
    public static final String BROKEN_VERSION = "v2-broken";

    /** Creates (or replaces the files of) {@code outDir/v1} and {@code outDir/v2}; returns the two folders. */
    public static List<Path> write(Path kvJar, Path outDir) throws IOException {
        List<Path> folders = new ArrayList<>();
        for (String version : VERSIONS) {
            folders.add(image(kvJar, outDir, version, COMMAND));
        }
        return folders;
    }

    /**
     * Creates {@code outDir/v2-broken}: the same service, but its {@code /health} answers 503
     * ({@code KV_HEALTH=fail}), for showing that an upgrade to an image that fails its health check
     * brings the standby back on the old image and never touches the ACT.
     */
    public static Path writeBroken(Path kvJar, Path outDir) throws IOException {
        return image(kvJar, outDir, BROKEN_VERSION, "export KV_HEALTH=fail; " + COMMAND);
    }

    private static Path image(Path kvJar, Path outDir, String version, String command) throws IOException {
        if (!Files.isRegularFile(kvJar)) {
            throw new IOException("kv jar not found: " + kvJar.toAbsolutePath());
        }
        Path folder = outDir.resolve(version);
        Files.createDirectories(folder);
        Files.copy(kvJar, folder.resolve("kv.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(folder.resolve("version"), version + "\n");
        Properties manifest = new Properties();
        manifest.setProperty("version", version);
        manifest.setProperty("command", command);
        try (OutputStream out = Files.newOutputStream(folder.resolve(MANIFEST))) {
            manifest.store(out, "Duplex example image: replicated key-value service " + version);
        }
        return folder;
    }

    /** {@code ImageFolders OUT_DIR [KV_JAR]} writes v1, v2 and v2-broken; KV_JAR defaults to the jar this class runs from. */
    public static void main(String[] args) throws IOException, URISyntaxException {
        if (args.length < 1) {
            System.err.println("usage: ImageFolders OUT_DIR [KV_JAR]");
            System.exit(2);
        }
        Path jar = args.length > 1 ? Path.of(args[1])
                : Path.of(ImageFolders.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Path folder : write(jar, Path.of(args[0]))) {
            System.out.println(folder.toAbsolutePath());
        }
        System.out.println(writeBroken(jar, Path.of(args[0])).toAbsolutePath());
    }
}
