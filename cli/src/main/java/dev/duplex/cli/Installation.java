package dev.duplex.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where Duplex is installed: the folder holding {@code bin/}, {@code lib/}, {@code conf/} and
 * {@code plugins/}. The launcher passes it as {@code -Dduplex.internal.install}; run from a
 * build tree there is none, and only the class path's drivers are found.
 *
 * @param root the installation folder, if any
 */
public record Installation(Optional<Path> root) {
    public static Installation current() {
        String property = System.getProperty("duplex.internal.install");
        return new Installation(Optional.ofNullable(property).filter(p -> !p.isBlank()).map(Path::of).map(Path::toAbsolutePath));
    }

    public Optional<Path> configFile() {
        return root.map(r -> r.resolve("conf").resolve("duplex.properties"));
    }

    public Optional<Path> pluginsDirectory() {
        return root.map(r -> r.resolve("plugins")).filter(Files::isDirectory);
    }
}
