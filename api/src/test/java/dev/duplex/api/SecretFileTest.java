package dev.duplex.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretFileTest {
    @TempDir
    Path dir;

    @Test
    void aPrivateFileGivesItsFirstLine() throws IOException {
        Path file = secret("hunter2\r\nsecond line\n", "rw-------");
        assertEquals("hunter2", new SecretFile(file, "test").firstLine());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw--w----", "rw-----w-", "rw----rw-"})
    void aFileOtherUsersCanReadOrChangeIsRefused(String mode) throws IOException {
        Path file = secret("hunter2\n", mode);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SecretFile(file, "The credential file").read());
        assertTrue(e.getMessage().startsWith("The credential file " + file + " can be read or changed by other users (mode 0"), e.getMessage());
        assertTrue(e.getMessage().endsWith("run 'chmod 600 " + file + "'"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
    }

    @Test
    void missingFolderFifoAndHugeFilesAreRefusedWithOneLine() throws IOException, InterruptedException {
        assertTrue(message(dir.resolve("missing")).contains("does not exist"));
        assertTrue(message(dir).contains("is not a regular file"));
        Path fifo = dir.resolve("fifo");
        new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start().waitFor();
        assertTrue(message(fifo).contains("is not a regular file"));
        assertTrue(message(Path.of("/dev/zero")).contains("is not a regular file"));
        Path huge = secret("", "rw-------");
        Files.write(huge, new byte[(int) SecretFile.MAX_BYTES + 1]);
        assertTrue(message(huge).contains("more than a secret file holds"));
    }

    @Test
    void aSymlinkToAPrivateFileIsFollowedButItsTargetIsChecked() throws IOException {
        Path loose = secret("hunter2\n", "rw-r--r--");
        Path link = Files.createSymbolicLink(dir.resolve("link"), loose);
        assertTrue(message(link).contains("can be read or changed by other users"));
    }

    private String message(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> new SecretFile(file, "x").read()).getMessage();
    }

    private Path secret(String content, String mode) throws IOException {
        Path file = Files.createTempFile(dir, "secret", "");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}
