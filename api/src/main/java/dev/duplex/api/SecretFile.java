package dev.duplex.api;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A file that holds a secret (a database password, a platform credential), named in the
 * configuration or the inventory instead of the secret itself.
 *
 * <p>Duplex runs as root on shared hosts, so a secret file that other users can read is a secret
 * they already have: {@link #check()} refuses a file that is group- or other-readable or -writable,
 * or that is not a regular file. Errors name the file and what it is for ({@code purpose}), never
 * its content.
 *
 * @param path the file
 * @param purpose what it is for, as the user configured it ({@code "duplex.db.password-file"},
 *     {@code "the credential file of endpoint 'lab'"})
 */
public record SecretFile(Path path, String purpose) {
    /** The largest secret file read; a password or a key file is far smaller. */
    public static final long MAX_BYTES = 64 * 1024;

    public SecretFile {
        requireNonNull(path, "path is null");
        requireNonNull(purpose, "purpose is null");
    }

    /**
     * Checks that the file exists, is a regular file this process can read, is at most
     * {@link #MAX_BYTES}, and that no other user can read or change it.
     *
     * @throws IllegalArgumentException naming the file, its purpose, what is wrong and the fix
     */
    public void check() {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw refused("does not exist", "create it with the secret on its first line and mode 0600");
        } catch (AccessDeniedException e) {
            throw refused("cannot be read by this user", "make it readable by the user Duplex runs as (mode 0600)");
        } catch (UnsupportedOperationException | IOException e) {
            throw refused("cannot be inspected (" + e.getClass().getSimpleName() + ")", "check the path");
        }
        if (!attributes.isRegularFile()) {
            throw refused("is not a regular file", "point it at a plain file holding the secret");
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        boolean shared = permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.OTHERS_WRITE);
        if (shared) {
            throw refused("can be read or changed by other users (mode " + mode(permissions) + ")",
                    "run 'chmod 600 " + path + "'");
        }
        if (attributes.size() > MAX_BYTES) {
            throw refused("is " + attributes.size() + " bytes, more than a secret file holds (" + MAX_BYTES + ")",
                    "check that it names the right file");
        }
        if (!Files.isReadable(path)) {
            throw refused("cannot be read by this user", "make it readable by the user Duplex runs as (mode 0600)");
        }
    }

    /** {@link #check() Checks} the file, then returns its content as UTF-8 text. */
    public String read() {
        check();
        try {
            byte[] bytes = Files.readAllBytes(path);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw refused("is not UTF-8 text", "write the secret as UTF-8 text");
        } catch (IOException e) {
            throw refused("could not be read (" + e.getClass().getSimpleName() + ")", "check that it is readable");
        }
    }

    /** The first line of the file, without its line end: how a password file holds its password. */
    public String firstLine() {
        String content = read();
        int end = content.indexOf('\n');
        String line = end < 0 ? content : content.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private IllegalArgumentException refused(String problem, String fix) {
        return new IllegalArgumentException(purpose + " " + path + " " + problem + "; " + fix);
    }

    private static String mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", mode);
    }

    @Override
    public String toString() {
        return "SecretFile[" + purpose + ": " + path + "]";
    }
}
