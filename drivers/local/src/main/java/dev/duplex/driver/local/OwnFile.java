package dev.duplex.driver.local;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Checks of a file the driver writes in place (a journal, an item patched where it lies): it must
 * be a regular file, not a link, owned by the user Duplex runs as, with one name only, so a file
 * planted by another user, or a hard link to a file elsewhere, is never written through.
 */
final class OwnFile {
    /** Owner read and write only, for files created here. */
    static final FileAttribute<?> PRIVATE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** Owner only, for folders created here. */
    static final FileAttribute<?> PRIVATE_FOLDER =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private static final int GROUP_OR_OTHERS = 0077;
    private static final int WRITABLE_BY_GROUP_OR_OTHERS = 0022;

    private final int uid;

    private OwnFile(int uid) {
        this.uid = uid;
    }

    /** Checks against the user this process runs as (the owner of {@code /proc/self}; no user.name, which can be spoofed). */
    static OwnFile ofThisProcess() throws IOException {
        return new OwnFile((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    /** Refuses {@code file} unless it is ours, single-linked and readable and writable by us alone (mode 0600 or less). */
    void requirePrivate(Path file) throws IOException {
        Map<String, Object> unix = attributes(file);
        String problem = problem(unix);
        if (problem == null && ((Integer) unix.get("mode") & GROUP_OR_OTHERS) != 0) {
            problem = "has mode " + Integer.toOctalString((Integer) unix.get("mode") & 0xFFF) + ", open to other users";
        }
        if (problem != null) {
            throw new FileSystemException(file.toString(), null, problem
                    + "; the local driver's environment journal and lock must be plain 0600 files of uid " + uid
                    + ": check who made it, then delete it");
        }
    }

    /** Whether {@code file} may be patched where it lies: ours, single-linked, not writable by others. */
    boolean mayPatchInPlace(Path file) throws IOException {
        Map<String, Object> unix = attributes(file);
        return problem(unix) == null && ((Integer) unix.get("mode") & WRITABLE_BY_GROUP_OR_OTHERS) == 0;
    }

    private static Map<String, Object> attributes(Path file) throws IOException {
        return Files.readAttributes(file, "unix:mode,uid,nlink", LinkOption.NOFOLLOW_LINKS);
    }

    private String problem(Map<String, Object> unix) {
        int mode = (Integer) unix.get("mode");
        if ((mode & 0170000) != 0100000) {
            return "is not a regular file (a link, a folder or a device)";
        }
        if ((Integer) unix.get("uid") != uid) {
            return "is owned by uid " + unix.get("uid") + ", not by uid " + uid + " that Duplex runs as";
        }
        if ((Integer) unix.get("nlink") != 1) {
            return "has " + unix.get("nlink") + " hard links, so writing it would change another file too";
        }
        return null;
    }
}
