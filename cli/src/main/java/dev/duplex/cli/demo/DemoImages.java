package dev.duplex.cli.demo;

import dev.duplex.cli.Installation;
import dev.duplex.example.kv.ImageFolders;
import dev.duplex.example.kv.KvServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the demo's software images v1 and v2: in the installation's {@code examples/images},
 * or, run from a build tree, written from the kv example's jar on the class path.
 */
public final class DemoImages {
    private DemoImages() {}

    /** The folder holding v1/ and v2/. */
    public static Path locate(Installation installation, Path home) {
        if (installation.root().isPresent()) {
            Path packed = installation.root().get().resolve("examples").resolve("images");
            if (Files.isDirectory(packed.resolve("v1")) && Files.isDirectory(packed.resolve("v2"))) {
                return packed;
            }
        }
        try {
            Path jar = Path.of(KvServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("The demo's images are missing: no examples/images in the installation and the kv example"
                        + " is not a jar (" + jar + "); build with ./mvnw install and run the tarball's bin/duplex");
            }
            Path out = home.resolve("demo").resolve("images");
            ImageFolders.write(jar, out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the demo images under " + home + ": " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
