package dev.duplex.driver.local;

import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.VisibleText;
import dev.duplex.api.VolumeLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Finds where a link's mount path lands inside a VM's root folder without following symbolic
 * links. The root is a copy of the image, and an image could ship {@code esc -> /elsewhere}: a
 * mount path {@code esc/db} resolved the ordinary way would delete {@code /elsewhere/db} and put
 * the volume's link there. So each part of the mount path is looked at as itself
 * ({@link LinkOption#NOFOLLOW_LINKS}); a part that is a link, or a file where a folder is
 * needed, is refused with one line.
 *
 * <p>The mount path itself is already relative and plain ({@link VolumeLink#isValidMountPath}).
 */
final class MountPoint {
    private MountPoint() {}

    /**
     * The mount point of {@code link} under {@code root}, creating the missing folders on the way
     * when {@code create} is set (at boot) and only checking when not (at creation, against the
     * image's content). The last part may be absent or a real file or folder (a placeholder the
     * boot replaces), never a link.
     */
    static Path resolve(Path root, VolumeLink link, boolean create, String vmName, ObjectId vm) throws IOException {
        String[] parts = link.mountPath().split("/");
        Path path = root;
        for (int i = 0; i < parts.length; i++) {
            Path next = path.resolve(parts[i]);
            if (!next.normalize().startsWith(root) || !path.equals(next.getParent())) {
                throw new InvalidSpecException(VolumeLink.mountPathProblem(link.mountPath()) + " (VM " + vmName + ")", vm);
            }
            boolean last = i == parts.length - 1;
            if (Files.isSymbolicLink(next)) {
                throw new InvalidSpecException("Mount path '" + VisibleText.escape(link.mountPath()) + "' of VM " + vmName
                        + " passes through '" + VisibleText.escape(root.relativize(next).toString()) + "', a symbolic link to '"
                        + VisibleText.escape(Files.readSymbolicLink(next).toString()) + "' in its image; a mount path must name"
                        + " real folders inside the VM: pick another mount path or remove the link from the image", vm);
            }
            if (!last) {
                if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                    if (!create) {
                        return root.resolve(link.mountPath()); // the rest is created at boot, under real folders
                    }
                    Files.createDirectory(next);
                } else if (!Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                    throw new InvalidSpecException("Mount path '" + VisibleText.escape(link.mountPath()) + "' of VM " + vmName
                            + " passes through '" + VisibleText.escape(root.relativize(next).toString())
                            + "', which is a file in its image, not a folder: pick another mount path", vm);
                }
            }
            path = next;
        }
        return path;
    }
}
