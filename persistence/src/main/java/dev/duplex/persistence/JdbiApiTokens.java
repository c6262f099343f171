package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.inventory.InventoryConflictException;
import dev.duplex.engine.token.ApiTokens;
import dev.duplex.engine.token.StoredToken;
import dev.duplex.engine.token.TokenRole;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The API tokens in PostgreSQL (V7__api_tokens.sql): salted hashes only, revoked rows kept. */
public final class JdbiApiTokens implements ApiTokens {
    private static final String COLUMNS = "name, role, key_id, salt, secret_hash, created_at, created_by, revoked_at";

    private final Jdbi jdbi;
    private final SqlErrors errors;

    @Inject
    public JdbiApiTokens(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    @Override
    public void add(StoredToken token) {
        requireNonNull(token, "token is null");
        // ON CONFLICT: a taken name is the user's mistake to be told about, not a stack trace.
        int inserted = errors.call(() -> jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO api_tokens (name, role, key_id, salt, secret_hash, created_at, created_by)
                        VALUES (:name, :role, :keyId, :salt, :hash, :at, :by) ON CONFLICT DO NOTHING""")
                .bind("name", token.name()).bind("role", token.role().key()).bind("keyId", token.keyId())
                .bind("salt", token.salt()).bind("hash", token.secretHash())
                .bind("at", token.createdAt().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC)).bind("by", token.createdBy())
                .execute()));
        if (inserted == 0) {
            throw new InventoryConflictException("A token named '" + token.name() + "' exists already; revoke it first ('duplex token revoke "
                    + token.name() + "') or choose another name");
        }
    }

    @Override
    public Optional<StoredToken> liveByKeyId(String keyId) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
                        + " FROM api_tokens WHERE key_id = :keyId AND revoked_at IS NULL")
                .bind("keyId", keyId).map((rs, ctx) -> token(rs)).findOne()));
    }

    @Override
    public List<StoredToken> list() {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens ORDER BY id")
                .map((rs, ctx) -> token(rs)).list()));
    }

    @Override
    public boolean revoke(String name, Instant at, String revokedBy) {
        return errors.call(() -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE api_tokens SET revoked_at = :at, revoked_by = :by WHERE name = :name AND revoked_at IS NULL")
                .bind("at", at.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC)).bind("by", revokedBy).bind("name", name)
                .execute())) > 0;
    }

    private static StoredToken token(ResultSet rs) throws SQLException {
        return new StoredToken(rs.getString("name"), TokenRole.parse(rs.getString("role")), rs.getString("key_id"), rs.getBytes("salt"),
                rs.getBytes("secret_hash"), JdbiJobQueue.instant(rs, "created_at").orElseThrow(), rs.getString("created_by"),
                JdbiJobQueue.instant(rs, "revoked_at"));
    }
}
