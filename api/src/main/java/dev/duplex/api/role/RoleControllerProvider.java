package dev.duplex.api.role;

import java.util.Map;

/**
 * Makes role controllers of one type from a pair's settings. The engine has the {@code exec}
 * and {@code http} types built in; a provider adds another (a floating IP mover, a vendor API).
 */
public interface RoleControllerProvider {
    /** The value of the {@code type} setting this provider answers to. */
    String type();

    /**
     * A controller for the given settings (the pair's role-controller map, {@code type} included).
     *
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    RoleController create(Map<String, String> settings);
}
