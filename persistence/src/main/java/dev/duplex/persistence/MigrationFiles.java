package dev.duplex.persistence;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions of the migrations this Duplex ships ({@code db/migration/V<version>__<name>.sql}),
 * listed without Flyway so that a warm command can tell "the schema is current" with one query.
 */
final class MigrationFiles {
    static final String LOCATION = "db/migration";
    /** Flyway's versioned naming: V, the version (parts split by . or _), two underscores, a description. */
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.+\\.sql");

    private MigrationFiles() {}

    /** The versions as Flyway writes them into its history ({@code 1}, {@code 1.1}); empty when they cannot be listed. */
    static Optional<Set<String>> versions(ClassLoader loader) {
        try {
            Enumeration<URL> locations = loader.getResources(LOCATION);
            Set<String> versions = new HashSet<>();
            boolean found = false;
            while (locations.hasMoreElements()) {
                URL location = locations.nextElement();
                found = true;
                switch (location.getProtocol()) {
                    case "file" -> {
                        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(location.toURI()))) {
                            files.forEach(file -> add(versions, file.getFileName().toString()));
                        }
                    }
                    case "jar" -> {
                        JarURLConnection connection = (JarURLConnection) location.openConnection();
                        connection.setUseCaches(false);
                        try (JarFile jar = connection.getJarFile()) {
                            Enumeration<JarEntry> entries = jar.entries();
                            while (entries.hasMoreElements()) {
                                String name = entries.nextElement().getName();
                                if (name.startsWith(LOCATION + "/") && name.indexOf('/', LOCATION.length() + 1) < 0) {
                                    add(versions, name.substring(LOCATION.length() + 1));
                                }
                            }
                        }
                    }
                    default -> {
                        return Optional.empty();
                    }
                }
            }
            return found && !versions.isEmpty() ? Optional.of(Set.copyOf(versions)) : Optional.empty();
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void add(Set<String> versions, String fileName) {
        Matcher matcher = VERSIONED.matcher(fileName);
        if (matcher.matches()) {
            versions.add(matcher.group(1).replace('_', '.'));
        }
    }
}
