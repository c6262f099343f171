package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Environment revisions, diffs and calibrations in PostgreSQL. A revision and its items are
 * written in one transaction; each item carries a SHA-256 checksum that is verified when read.
 */
public final class JdbiEnvironmentArchive implements EnvironmentArchive {
    private final Jdbi jdbi;
    private final SqlErrors errors;
    private final JsonMaps json = new JsonMaps();

    @Inject
    public JdbiEnvironmentArchive(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    @Override
    public void saveRevision(StoredRevision revision) {
        requireNonNull(revision, "revision is null");
        long number = revision.snapshot().revision();
        errors.run(() -> jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM env_revisions WHERE target = :target AND revision = :revision")
                    .bind("target", revision.target()).bind("revision", number).execute();
            h.createUpdate("INSERT INTO env_revisions (target, revision, received_at) VALUES (:target, :revision, :at)")
                    .bind("target", revision.target()).bind("revision", number)
                    .bind("at", revision.receivedAt().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC))
                    .execute();
            int position = 0;
            for (EnvironmentItem item : revision.snapshot().items()) {
                byte[] content = item.content();
                h.createUpdate("""
                                INSERT INTO env_revision_items (target, revision, position, item_name, bytes, checksum)
                                VALUES (:target, :revision, :position, :name, :bytes, :checksum)""")
                        .bind("target", revision.target()).bind("revision", number).bind("position", position++)
                        .bind("name", item.name()).bind("bytes", content).bind("checksum", sha256(content))
                        .execute();
            }
        }));
    }

    @Override
    public Optional<StoredRevision> latestRevision(String target) {
        return errors.call(() -> jdbi.inTransaction(h -> h.createQuery(
                        "SELECT revision FROM env_revisions WHERE target = :target ORDER BY revision DESC LIMIT 1")
                .bind("target", target).mapTo(Long.class).findOne()
                .flatMap(revision -> load(h, target, revision))));
    }

    @Override
    public Optional<StoredRevision> revision(String target, long revision) {
        return errors.call(() -> jdbi.inTransaction(h -> load(h, target, revision)));
    }

    private Optional<StoredRevision> load(Handle h, String target, long revision) {
        Optional<java.time.Instant> receivedAt = h.createQuery(
                        "SELECT received_at FROM env_revisions WHERE target = :target AND revision = :revision")
                .bind("target", target).bind("revision", revision)
                .map((rs, ctx) -> JdbiJobQueue.instant(rs, "received_at").orElseThrow()).findOne();
        if (receivedAt.isEmpty()) {
            return Optional.empty();
        }
        List<EnvironmentItem> items = h.createQuery("""
                        SELECT item_name, bytes, checksum FROM env_revision_items
                        WHERE target = :target AND revision = :revision ORDER BY position""")
                .bind("target", target).bind("revision", revision)
                .map((rs, ctx) -> {
                    byte[] bytes = rs.getBytes("bytes");
                    String name = rs.getString("item_name");
                    if (!sha256(bytes).equals(rs.getString("checksum"))) {
                        throw new DatabaseException("Environment item '" + name + "' of " + target + " revision " + revision
                                + " is corrupt in the database (checksum mismatch); fetch the revision again from the VM", null);
                    }
                    return new EnvironmentItem(name, bytes);
                })
                .list();
        return Optional.of(new StoredRevision(target, new EnvironmentSnapshot(revision, items), receivedAt.get()));
    }

    @Override
    public void saveDiff(StoredDiff diff) {
        requireNonNull(diff, "diff is null");
        byte[] encoded = diff.encoded();
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO env_diffs (target, base_revision, target_revision, encoded, size, entry_count)
                        VALUES (:target, :base, :revision, :encoded, :size, :entries)
                        ON CONFLICT (target, base_revision, target_revision) DO UPDATE
                        SET encoded = EXCLUDED.encoded, size = EXCLUDED.size, entry_count = EXCLUDED.entry_count,
                            created_at = now()""")
                .bind("target", diff.target()).bind("base", diff.baseRevision()).bind("revision", diff.targetRevision())
                .bind("encoded", encoded).bind("size", encoded.length).bind("entries", diff.entryCount())
                .execute()));
    }

    @Override
    public Optional<StoredDiff> diff(String target, long baseRevision, long targetRevision) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("""
                        SELECT encoded, entry_count FROM env_diffs
                        WHERE target = :target AND base_revision = :base AND target_revision = :revision""")
                .bind("target", target).bind("base", baseRevision).bind("revision", targetRevision)
                .map((rs, ctx) -> new StoredDiff(target, baseRevision, targetRevision, rs.getBytes("encoded"),
                        rs.getInt("entry_count")))
                .findOne()));
    }

    @Override
    public void saveCalibration(String target, Map<String, String> coefficients) {
        requireNonNull(target, "target is null");
        requireNonNull(coefficients, "coefficients is null");
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate(
                        "INSERT INTO calibrations (target, coefficients) VALUES (:target, CAST(:coefficients AS jsonb))")
                .bind("target", target).bind("coefficients", json.write(coefficients)).execute()));
    }

    @Override
    public Optional<Map<String, String>> calibration(String target) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT coefficients::text FROM calibrations WHERE target = :target ORDER BY id DESC LIMIT 1")
                .bind("target", target).mapTo(String.class).findOne().map(json::read)));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
