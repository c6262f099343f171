package dev.duplex.engine.token;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The API token port. At most one live (unrevoked) token per name. */
public interface ApiTokens {
    /** Stores a new token; refused with {@link dev.duplex.engine.inventory.InventoryConflictException} when a live token has its name. */
    void add(StoredToken token);

    /** The live token of that key id, if any. */
    Optional<StoredToken> liveByKeyId(String keyId);

    /** Every token, revoked ones included, oldest first. */
    List<StoredToken> list();

    /** Marks the live token of that name revoked; false if there is none. */
    boolean revoke(String name, Instant at, String revokedBy);
}
