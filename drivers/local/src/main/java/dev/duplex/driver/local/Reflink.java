package dev.duplex.driver.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Copy-on-write copies of files ({@code FICLONE}) through {@code cp --reflink=always}, which fails
 * rather than falling back to a byte copy: a clone costs metadata only, whatever the file's size.
 * Java has no call for it, and {@code cp} is on every host Duplex runs on.
 */
final class Reflink {
    private static final long TIMEOUT_SECONDS = 600;

    private Reflink() {}

    /**
     * Whether the file system holding {@code folder} clones files: tries it on a probe file there
     * (created owner-only, deleted again). The folder is created owner-only when it is missing.
     */
    static boolean supportedIn(Path folder) {
        String nonce = UUID.randomUUID().toString().substring(0, 8);
        Path probe = folder.resolve(".reflink-probe-" + nonce);
        Path clone = folder.resolve(".reflink-clone-" + nonce);
        try {
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(folder, OwnFile.PRIVATE_FOLDER);
            }
            // A whole block: some file systems keep tiny files inline, where a clone is not what a volume gets.
            Files.write(probe, new byte[8192]);
            return run(List.of("cp", "--reflink=always", "--", probe.toString(), clone.toString())).isEmpty()
                    && Files.size(clone) == 8192;
        } catch (IOException e) {
            return false;
        } finally {
            deleteQuietly(probe);
            deleteQuietly(clone);
        }
    }

    /**
     * Clones the tree {@code source} to {@code target} (which must not exist), keeping modes, owners,
     * times and links as they are ({@code cp -a}); links are copied as links, never followed.
     */
    static void cloneTree(Path source, Path target) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " exists already; a clone goes to a new folder");
        }
        String failure = run(List.of("cp", "-a", "--reflink=always", "--no-target-directory", "--",
                source.toString(), target.toString()));
        if (!failure.isEmpty()) {
            TreeDeletion.delete(target);
            throw new IOException("cannot clone " + source + " to " + target + ": " + failure);
        }
    }

    /** Runs {@code command}; returns "" when it succeeded, else what went wrong (its exit and error output). */
    private static String run(List<String> command) throws IOException {
        // Errors go to a private file, not a pipe: a pipe read would block past the timeout on a hung cp.
        Path errors = Files.createTempFile("duplex-reflink-", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errors.toFile()).start();
            try {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return "cp did not finish within " + TIMEOUT_SECONDS + " s";
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while cloning", e);
            }
            return process.exitValue() == 0 ? "" : "cp exited with status " + process.exitValue() + ": "
                    + Files.readString(errors, StandardCharsets.UTF_8).strip();
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A probe file left behind is harmless: it is a dot file the driver skips.
        }
    }
}
