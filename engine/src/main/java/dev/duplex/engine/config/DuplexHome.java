package dev.duplex.engine.config;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The state folder ({@code duplex.home}): the embedded database, the local driver's VMs, logs.
 *
 * <p>Duplex runs as root on shared hosts and later runs binaries and reads secrets from this
 * folder, so another user who can change it, or any folder above it, can become root. The
 * folder is created mode 0700; an existing one must belong to this user and not be writable by
 * others, and every folder above it must belong to this user or root and be writable by others
 * only with the sticky bit (as {@code /tmp} is), so no one else can swap it.
 */
public final class DuplexHome {
    private static final int GROUP_WRITE = 0020;
    private static final int OTHERS_WRITE = 0002;
    private static final int STICKY = 01000;
    /** The permission bits with setuid, setgid and sticky: what a mode shows, in octal. */
    private static final int MODE_BITS = 0xFFF;
    /** The folders under the home that Duplex itself writes: the database, the drivers' state, the logs. */
    private static final java.util.List<String> PRIVATE_FOLDERS = java.util.List.of("db", "drivers", "logs");

    private DuplexHome() {}

    /** Creates {@code home} (0700) if needed and checks it and its ancestors; returns it. */
    public static Path prepare(Path home) {
        Path absolute = home.toAbsolutePath().normalize();
        int uid = uidOf(Path.of("/proc/self"));
        checkAncestors(absolute, uid);
        try {
            Files.createDirectories(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below like any existing home
        } catch (IOException e) {
            throw new ConfigException("Cannot create the Duplex home " + absolute + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()) + "; set duplex.home (DUPLEX_HOME) to a folder you own", e);
        }
        if (Files.isSymbolicLink(absolute) || !Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new ConfigException("The Duplex home " + absolute + " is not a folder (or is a symbolic link); "
                    + "set duplex.home (DUPLEX_HOME) to a folder you own");
        }
        int owner = uidOf(absolute);
        int mode = modeOf(absolute);
        if (owner != uid) {
            throw new ConfigException("The Duplex home " + absolute + " belongs to uid " + owner + ", not to this user (uid " + uid
                    + "); another user could change what Duplex runs. Use a folder of your own (duplex.home)");
        }
        if ((mode & (GROUP_WRITE | OTHERS_WRITE)) != 0) {
            throw new ConfigException("The Duplex home " + absolute + " can be changed by other users (mode "
                    + String.format("%04o", mode & MODE_BITS) + "); run 'chmod 700 " + absolute + "'");
        }
        // Created private before anything writes there (logback would make logs/ 0755): VM
        // databases and logs stay the Duplex user's even in a home that others may list.
        for (String folder : PRIVATE_FOLDERS) {
            try {
                Files.createDirectories(absolute.resolve(folder), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new ConfigException("Cannot create " + absolute.resolve(folder) + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
            }
        }
        return absolute;
    }

    private static void checkAncestors(Path home, int uid) {
        for (Path folder = home.getParent(); folder != null; folder = folder.getParent()) {
            if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                continue; // created below, by us
            }
            int owner = uidOf(folder);
            int mode = modeOf(folder);
            boolean othersWrite = (mode & (GROUP_WRITE | OTHERS_WRITE)) != 0;
            if ((owner != uid && owner != 0) || (othersWrite && (mode & STICKY) == 0)) {
                throw new ConfigException("The Duplex home " + home + " is inside " + folder + ", which "
                        + (owner != uid && owner != 0 ? "belongs to uid " + owner : "other users can change (mode "
                                + String.format("%04o", mode & MODE_BITS) + ")")
                        + "; another user could swap the home. Use a folder whose parents only you or root can change (duplex.home)");
            }
        }
    }

    private static int uidOf(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ConfigException("Cannot read the owner of " + path + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static int modeOf(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ConfigException("Cannot read the mode of " + path + ": " + e.getClass().getSimpleName(), e);
        }
    }
}
