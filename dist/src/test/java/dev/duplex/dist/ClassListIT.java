package dev.duplex.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data-sharing archive is made from the shipped class list, so a command is
 * only fast if its classes are in it. The list comes from a training run at packaging time; when
 * that run's database commands failed (the builder's environment had a DUPLEX_* variable Duplex
 * refuses, as CI's has), the release still built, with a list that lacked the whole database path.
 */
class ClassListIT {
    @TempDir
    Path dir;

    @Test
    void theShippedClassListCoversTheDatabasePathOfTheCommonCommands() throws IOException, InterruptedException {
        Release release = Release.unpack(dir);
        Path list = release.root().resolve("lib/duplex.classlist");
        assertTrue(Files.isRegularFile(list), "the release ships lib/duplex.classlist");
        List<String> classes = Files.readAllLines(list);
        for (String expected : List.of("org/jdbi/v3/core/Jdbi", "org/postgresql/Driver", "org/flywaydb/core/Flyway",
                "com/google/inject/Guice", "picocli/CommandLine")) {
            assertTrue(classes.stream().anyMatch(line -> line.startsWith(expected + " ") || line.equals(expected)),
                    expected + " is in the shipped class list (" + classes.size() + " classes); see dist/target/cds-training/training.log");
        }
    }
}
