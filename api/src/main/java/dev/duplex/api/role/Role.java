package dev.duplex.api.role;

import java.util.Locale;
import java.util.Optional;

/** The role a member of a pair plays, as its application reports it. */
public enum Role {
    /** Active: serves and takes writes. */
    ACT,
    /** Standby: follows the active, ready to take over. */
    SBY;

    /** Parses {@code ACT} or {@code SBY} (any case, surrounding blanks ignored); empty for anything else. */
    public static Optional<Role> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (text.strip().toUpperCase(Locale.ROOT)) {
            case "ACT" -> Optional.of(ACT);
            case "SBY" -> Optional.of(SBY);
            default -> Optional.empty();
        };
    }

    public Role other() {
        return this == ACT ? SBY : ACT;
    }
}
