package dev.duplex.engine.config;

/** The configuration is wrong: an unknown key, a bad value, an unreadable file. The message names the key and where it was set. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
