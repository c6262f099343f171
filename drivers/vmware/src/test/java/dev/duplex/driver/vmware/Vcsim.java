package dev.duplex.driver.vmware;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.api.DriverConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * govmomi's vSphere simulator as the tests' real peer: our small Go main
 * ({@code src/test/go/vcsim/main.go}) built offline against Debian's govmomi library (the build
 * is cached under {@code target/vcsim} and redone only when the source is newer), started on
 * 127.0.0.1 with a user and a password file, reached through a {@link CompatProxy}, and stopped by
 * its PID. Without Go or govmomi the tests are skipped, unless {@code CI=true}: then they fail
 * (install them with {@code .ci/vmware/install-packages.sh}).
 */
final class Vcsim implements AutoCloseable {
    static final String USER = "duplex";
    private static final Path SOURCE = Path.of("src", "test", "go", "vcsim", "main.go");
    private static final Path BUILD = Path.of("target", "vcsim").toAbsolutePath();
    private static final Path GOVMOMI = Path.of("/usr/share/gocode/src/github.com/vmware/govmomi/simulator");

    private final Process process;
    private final CompatProxy proxy;
    private final Path passwordFile;
    private final URI direct;

    private Vcsim(Process process, CompatProxy proxy, Path passwordFile, URI direct) {
        this.process = process;
        this.proxy = proxy;
        this.passwordFile = passwordFile;
        this.direct = direct;
    }

    /** Builds (if needed) and starts a fresh simulator with its own password, over plain HTTP. */
    static Vcsim start() throws IOException, InterruptedException {
        return start(false);
    }

    /**
     * Builds (if needed) and starts a fresh simulator; with {@code tls}, it serves https with a
     * self-signed certificate no trust store holds (reach it with {@link #direct()}).
     */
    static Vcsim start(boolean tls) throws IOException, InterruptedException {
        Path binary = build();
        Path passwordFile = Files.createTempFile(BUILD, "password", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwordFile, "vcsim-" + Long.toHexString(System.nanoTime()) + "\n");
        // Its standard input stays open as long as this JVM: vcsim ends when it closes.
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-username", USER, "-password-file", passwordFile.toString()));
        if (tls) {
            command.add("-tls");
        }
        Process process = new ProcessBuilder(command)
                .redirectError(BUILD.resolve("vcsim.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("URL ")) {
            process.destroyForcibly();
            throw new IllegalStateException("vcsim did not start; see " + BUILD.resolve("vcsim.log"));
        }
        URI direct = URI.create(line.substring(4).strip());
        return new Vcsim(process, new CompatProxy(URI.create(direct.getScheme() + "://" + direct.getAuthority() + "/")), passwordFile,
                direct);
    }

    /** The URI the driver connects to: the proxy's {@code http://127.0.0.1:<port>/sdk}. */
    URI sdk() {
        return proxy.sdk();
    }

    /** vcsim's own address, bypassing the compatibility filter. */
    URI direct() {
        return direct;
    }

    /** A mode-0600 file holding the password the simulator accepts. */
    /** The endpoint settings of this simulator as the driver tests connect to it: its SDK URL, user and password file. */
    DriverConfig driverConfig() {
        return new DriverConfig("vcsim", sdk().toString(), java.util.Map.of("user", USER), java.util.Optional.of(passwordFile()),
                Path.of("target", "vmware-work"));
    }

    Path passwordFile() {
        return passwordFile;
    }

    long pid() {
        return process.pid();
    }

    private static Path build() throws IOException, InterruptedException {
        Path binary = BUILD.resolve("bin").resolve("vcsim");
        if (Files.isExecutable(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(SOURCE)) >= 0) {
            return binary;
        }
        boolean available = Files.isDirectory(GOVMOMI) && new ProcessBuilder("sh", "-c", "command -v go").start().waitFor() == 0;
        if (!available) {
            String missing = "go or govmomi's simulator library is missing; run .ci/vmware/install-packages.sh";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(missing);
            }
            assumeTrue(false, missing);
        }
        // An offline GOPATH build: our main in <build>/gopath/src/duplex/vcsim, govmomi from Debian's gocode.
        Path main = BUILD.resolve("gopath/src/duplex/vcsim");
        Files.createDirectories(main);
        Files.copy(SOURCE, main.resolve("main.go"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(binary.getParent());
        List<String> command = new ArrayList<>(List.of("go", "build", "-o", binary.toString(), "."));
        ProcessBuilder builder = new ProcessBuilder(command).directory(main.toFile())
                .redirectErrorStream(true).redirectOutput(BUILD.resolve("go-build.log").toFile());
        builder.environment().put("GO111MODULE", "off");
        builder.environment().put("GOPROXY", "off");
        builder.environment().put("GOFLAGS", "");
        builder.environment().put("GOPATH", BUILD.resolve("gopath") + ":/usr/share/gocode");
        builder.environment().put("GOCACHE", BUILD.resolve("gocache").toString());
        Process go = builder.start();
        if (!go.waitFor(5, TimeUnit.MINUTES) || go.exitValue() != 0) {
            go.destroyForcibly();
            throw new IllegalStateException("building vcsim failed; see " + BUILD.resolve("go-build.log"));
        }
        return binary;
    }

    @Override
    public void close() throws InterruptedException, IOException {
        proxy.close();
        Files.deleteIfExists(passwordFile);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
