package dev.duplex.engine.driver;

/** A driver could not be loaded: a broken plugin jar, two drivers of the same kind. The message names the jars. */
public class DriverLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DriverLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
