package dev.duplex.cli.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The file holding the CLI's bearer token. Duplex runs as root on shared hosts, so a token file
 * others can read (or write: then they choose what the CLI sends) is refused, naming the chmod
 * that fixes it; the token itself never appears in a message.
 */
public final class TokenFile {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);
    private static final int MAX_BYTES = 4096;

    private TokenFile() {}

    /** The token in {@code file}: its first line, checked to be owner-only first. */
    public static String read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw Files.exists(file) ? new IllegalArgumentException("Token file " + file + " is not a regular file; give the file holding"
                        + " the token with --token-file FILE or duplex.server.token-file") : missing(file);
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(OTHERS::contains)) {
                throw new IllegalArgumentException("Token file " + file + " is open to other users (" + mode(permissions)
                        + "); it holds a secret: run 'chmod 600 " + file + "'");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("Token file " + file + " is larger than a token (" + Files.size(file)
                        + " bytes); it should hold the one line 'duplex token create' printed");
            }
            String token = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException("Token file " + file + " holds no token on its first line; put there the one line"
                        + " 'duplex token create NAME --role operator' printed on the server's host");
            }
            return token;
        } catch (NoSuchFileException e) {
            throw missing(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read token file " + file + " (" + e.getMessage() + "); check its owner and mode (600)", e);
        }
    }

    private static IllegalArgumentException missing(Path file) {
        return new IllegalArgumentException("No token file " + file + "; on the server's host run 'duplex token create NAME --role operator',"
                + " store the token in " + file + " (chmod 600), or give another file with --token-file FILE");
    }

    private static String mode(Set<PosixFilePermission> permissions) {
        return "mode " + java.nio.file.attribute.PosixFilePermissions.toString(permissions);
    }
}
