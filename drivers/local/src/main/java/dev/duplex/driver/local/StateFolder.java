package dev.duplex.driver.local;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The driver's state folder, and the one way the driver builds a path inside it from a name or
 * an id: each part must be one plain folder name, the result must stay inside the state folder
 * once normalised, and no part below the state folder may be a symbolic link, so a link planted
 * in the state folder cannot send a write (or a recursive delete) elsewhere.
 */
final class StateFolder {
    private final Path root;

    StateFolder(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /**
     * {@code root/parts[0]/parts[1]/...}, checked part by part.
     *
     * @throws IOException if a part is not a plain name, the path leaves the state folder, or a
     *     part that exists is a symbolic link
     */
    Path resolve(String... parts) throws IOException {
        Path path = root;
        for (String part : parts) {
            if (!isPlainName(part)) {
                throw new FileSystemException(path.toString(), part,
                        "not a plain file name; the local driver builds paths only from plain names");
            }
            Path next = path.resolve(part).normalize();
            if (!next.startsWith(root) || !path.equals(next.getParent())) {
                throw new FileSystemException(next.toString(), null, "outside the driver's state folder " + root);
            }
            refuseLink(next);
            path = next;
        }
        return path;
    }

    /** Refuses {@code path} if it is a symbolic link (it need not exist). */
    static void refuseLink(Path path) throws IOException {
        if (Files.isSymbolicLink(path)) {
            throw new FileSystemException(path.toString(), null,
                    "is a symbolic link; the local driver's state holds only real folders and files, remove the link");
        }
    }

    private static boolean isPlainName(String part) {
        return !part.isEmpty() && !part.equals(".") && !part.equals("..") && part.indexOf('/') < 0 && part.indexOf('\0') < 0;
    }
}
