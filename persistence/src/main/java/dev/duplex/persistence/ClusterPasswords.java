package dev.duplex.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The embedded cluster's two passwords, each in a 0600 file under {@code <home>/db}: the
 * superuser's ({@code postgres}: initdb, roles, migrations) and the application role's
 * ({@code duplex_app}: everything else). They are never logged; {@link #toString()} says nothing.
 */
final class ClusterPasswords {
    static final String SUPERUSER_FILE = "superuser.password";
    static final String APPLICATION_FILE = "app.password";

    private final Path folder;
    private final SecureRandom random = new SecureRandom();

    ClusterPasswords(Path folder) {
        this.folder = folder;
    }

    Path superuserFile() {
        return folder.resolve(SUPERUSER_FILE);
    }

    Path applicationFile() {
        return folder.resolve(APPLICATION_FILE);
    }

    /** The superuser's password, made (random, 0600) when {@code create} and there is none. */
    Optional<String> superuser(boolean create) throws IOException {
        return read(superuserFile(), create);
    }

    /** The application role's password, made when missing (the superuser sets it on the role at every start). */
    String application() throws IOException {
        return read(applicationFile(), true).orElseThrow();
    }

    private Optional<String> read(Path file, boolean create) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            PrivateFiles.restrict(file);
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!password.isEmpty()) {
                return Optional.of(password);
            }
        }
        if (!create) {
            return Optional.empty();
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        PrivateFiles.write(file, password + "\n");
        return Optional.of(password);
    }

    @Override
    public String toString() {
        return "ClusterPasswords[" + folder + "]";
    }
}
