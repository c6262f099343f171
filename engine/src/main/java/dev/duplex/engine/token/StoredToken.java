package dev.duplex.engine.token;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A token as the database keeps it: its public key id and a salted hash of its secret, never the
 * secret itself.
 *
 * @param name the holder's name, recorded as the actor of what the token does
 * @param role what it may do
 * @param keyId the public part of the token, by which it is looked up
 * @param salt random bytes hashed with the secret
 * @param secretHash SHA-256 of salt and secret
 * @param createdAt when it was issued
 * @param createdBy who issued it
 * @param revokedAt when it was revoked, if it was
 */
public record StoredToken(String name, TokenRole role, String keyId, byte[] salt, byte[] secretHash, Instant createdAt,
        String createdBy, Optional<Instant> revokedAt) {
    public StoredToken {
        requireNonNull(name, "name is null");
        requireNonNull(role, "role is null");
        requireNonNull(keyId, "keyId is null");
        salt = requireNonNull(salt, "salt is null").clone();
        secretHash = requireNonNull(secretHash, "secretHash is null").clone();
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(createdBy, "createdBy is null");
        requireNonNull(revokedAt, "revokedAt is null");
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] secretHash() {
        return secretHash.clone();
    }

    /** Without the salt and hash, which have no business in logs. */
    @Override
    public String toString() {
        return "StoredToken[" + name + ", " + role.key() + ", " + keyId + (revokedAt.isPresent() ? ", revoked" : "") + "]";
    }
}
