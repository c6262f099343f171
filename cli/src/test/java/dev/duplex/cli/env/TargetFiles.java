package dev.duplex.cli.env;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.stream.Stream;

/** What the env tests need of a file's owner and mode, and of leftovers beside it. */
final class TargetFiles {
    private TargetFiles() {
    }

    /** The owner, group and permission bits of a file (links followed). */
    record Ownership(int uid, int gid, int mode) {
        static Ownership of(Path file) throws IOException {
            return new Ownership((Integer) Files.getAttribute(file, "unix:uid"), (Integer) Files.getAttribute(file, "unix:gid"),
                    (Integer) Files.getAttribute(file, "unix:mode") & 07777);
        }

        @Override
        public String toString() {
            return uid + ":" + gid + " " + Integer.toOctalString(mode);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || runningUid() == 0;
    }

    /**
     * Skips a test that needs root (to give a file to another user), unless in CI, where it must run.
     */
    static void assumeRoot() {
        if ("true".equals(System.getenv("CI"))) {
            if (!isRoot()) {
                throw new AssertionError("CI runs the tests as root; this one gives files to nobody:nogroup");
            }
            return;
        }
        assumeTrue(isRoot(), "gives files to nobody:nogroup, which needs root");
    }

    /** Gives {@code file} to nobody:nogroup with the mode (root only). */
    static void giveToNobody(Path file, int mode) throws IOException {
        UserPrincipalLookupService users = file.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal nobody = users.lookupPrincipalByName("nobody");
        GroupPrincipal nogroup = users.lookupPrincipalByGroupName("nogroup");
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        view.setOwner(nobody);
        view.setGroup(nogroup);
        Files.setAttribute(file, "unix:mode", mode);
    }

    static int runningUid() {
        return self("unix:uid");
    }

    static int runningGid() {
        return self("unix:gid");
    }

    private static int self(String attribute) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), attribute);
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Temporary files an apply left in {@code folder} (a killed apply may leave one). */
    static List<Path> temporaryFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    static boolean isLink(Path path) {
        return Files.isSymbolicLink(path) || Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.exists(path);
    }

    /** Runs a command (mkfifo, ln, setpriv ...) and waits for it; fails the test if it fails. */
    static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }
}
