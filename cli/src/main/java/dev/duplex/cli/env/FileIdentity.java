package dev.duplex.cli.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What makes a file the same file with the same content as when it was checked: its device and
 * inode (another file renamed over it is another inode), its size, and its modification and
 * change times (an in-place write moves both; a rename moves the change time). Read with
 * {@code lstat}, so a link put in the file's place is seen as a change, never followed. Also
 * carries the owner, group and mode a replacement must keep.
 */
record FileIdentity(long device, long inode, long size, FileTime modified, FileTime changed, int uid, int gid, int mode,
        int links, boolean regular) {
    /** The permission and set-id bits of {@code st_mode}. */
    static final int PERMISSION_BITS = 0xFFF; // rwx for owner, group, others, and the setuid, setgid and sticky bits

    /** The identity of the file at {@code path}, not following a link there. */
    static FileIdentity of(Path path) throws IOException {
        Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime,ctime,uid,gid,mode,nlink,"
                + "isRegularFile", LinkOption.NOFOLLOW_LINKS);
        return new FileIdentity((Long) unix.get("dev"), (Long) unix.get("ino"), (Long) unix.get("size"),
                (FileTime) unix.get("lastModifiedTime"), (FileTime) unix.get("ctime"), (Integer) unix.get("uid"),
                (Integer) unix.get("gid"), (Integer) unix.get("mode") & PERMISSION_BITS, (Integer) unix.get("nlink"),
                (Boolean) unix.get("isRegularFile"));
    }
}
