package dev.duplex.driver.local;

import dev.duplex.api.AuthenticationException;
import dev.duplex.api.ConflictException;
import dev.duplex.api.DriverException;
import dev.duplex.api.ObjectId;
import dev.duplex.api.PlatformException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;

/**
 * The one place where the local driver turns file-system errors into {@link DriverException}s,
 * keeping the path and the cause so an operator sees which file failed and why.
 */
final class IoErrors {
    private IoErrors() {}

    /** Work on the file system that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface IoWork<T> {
        T run() throws IOException;
    }

    /** Runs {@code work}; an {@link IOException} becomes a {@link DriverException} about {@code object}. */
    static <T> T call(String action, ObjectId object, IoWork<T> work) {
        try {
            return work.run();
        } catch (IOException e) {
            throw translate(action, object, e);
        } catch (UncheckedIOException e) {
            throw translate(action, object, e.getCause());
        }
    }

    /** Translates {@code e}, raised while doing {@code action} on {@code object}. */
    static DriverException translate(String action, ObjectId object, IOException e) {
        String message = "Cannot " + action + (object == null ? "" : " for " + object) + ": " + describe(e);
        if (e instanceof AccessDeniedException) {
            return new AuthenticationException(message + " (check the permissions of the driver's state folder)", object, e);
        }
        if (e instanceof FileAlreadyExistsException) {
            return new ConflictException(message, object, e);
        }
        return new PlatformException(message, object, e);
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException fs) {
            // FileSystemException's own message may lack the reason; say both path and reason.
            String reason = fs.getReason() == null ? e.getClass().getSimpleName() : fs.getReason();
            String other = fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile();
            return fs.getFile() + other + ": " + reason;
        }
        return String.valueOf(e.getMessage());
    }
}
