package dev.duplex.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The tarball this build made, unpacked into a folder, run with its bin/ on the PATH and a home of its own. */
final class Release {
    private final Path dir;
    private final Path root;
    private final Path home;

    private Release(Path dir, Path root, Path home) {
        this.dir = dir;
        this.root = root;
        this.home = home;
    }

    static Release unpack(Path dir) throws IOException, InterruptedException {
        Path target = Path.of("target");
        Path tarball;
        try (Stream<Path> files = Files.list(target)) {
            tarball = files.filter(p -> p.getFileName().toString().matches("duplex-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no duplex-*.tar.gz in " + target.toAbsolutePath() + ": run 'package' first"));
        }
        Path unpacked = Files.createDirectories(dir.resolve("release"));
        Result untar = run(List.of("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", unpacked.toString()), unpacked, Map.of(), dir,
                Duration.ofMinutes(2));
        if (untar.exitCode() != 0) {
            throw new AssertionError("cannot unpack " + tarball + ": " + untar);
        }
        try (Stream<Path> folders = Files.list(unpacked)) {
            return new Release(dir, folders.findFirst().orElseThrow(), dir.resolve("home"));
        }
    }

    Path root() {
        return root;
    }

    Path home() {
        return home;
    }

    Result duplex(String... args) throws IOException, InterruptedException {
        return duplex(Map.of(), args);
    }

    Result duplex(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("bin/duplex").toString());
        command.addAll(List.of(args));
        return run(command, root, environment, dir, Duration.ofMinutes(3));
    }

    /** A shell command line in the release folder, as an operator would type it there. */
    Result shell(String line, Duration timeout) throws IOException, InterruptedException {
        return run(List.of("sh", "-c", line), root, Map.of(), dir, timeout);
    }

    ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        environment(builder.environment());
        return builder;
    }

    private void environment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("DUPLEX_"));
        env.put("PATH", root.resolve("bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("DUPLEX_HOME", home.toString());
    }

    private static Result run(List<String> command, Path workingDirectory, Map<String, String> extra, Path dir, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("DUPLEX_"));
        Path release = workingDirectory;
        if (Files.isDirectory(release.resolve("bin"))) {
            env.put("PATH", release.resolve("bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("DUPLEX_HOME", dir.resolve("home").toString());
        }
        env.putAll(extra);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within " + timeout + "\n" + Files.readString(out) + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }
}
