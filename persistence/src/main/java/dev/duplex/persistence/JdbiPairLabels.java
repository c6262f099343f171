package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.fleet.LabelEdit;
import dev.duplex.engine.fleet.Labels;
import dev.duplex.engine.fleet.PairLabels;
import dev.duplex.engine.inventory.NotInInventoryException;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Pairs' labels in PostgreSQL (table pair_labels, V9). */
public final class JdbiPairLabels implements PairLabels {
    private final Jdbi jdbi;
    private final SqlErrors errors;

    @Inject
    public JdbiPairLabels(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    @Override
    public Labels of(String pair) {
        requireNonNull(pair, "pair is null");
        return errors.call(() -> jdbi.withHandle(h -> read(h, pair)));
    }

    @Override
    public Map<String, Labels> all() {
        return errors.call(() -> jdbi.withHandle(h -> {
            Map<String, Map<String, String>> byPair = new TreeMap<>();
            h.createQuery("SELECT pair, key, value FROM pair_labels ORDER BY pair, key")
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                    .forEach(row -> byPair.computeIfAbsent(row[0], p -> new LinkedHashMap<>()).put(row[1], row[2]));
            Map<String, Labels> labels = new TreeMap<>();
            byPair.forEach((pair, values) -> labels.put(pair, new Labels(values)));
            return labels;
        }));
    }

    @Override
    public Labels change(String pair, LabelEdit edit) {
        requireNonNull(pair, "pair is null");
        requireNonNull(edit, "edit is null");
        return errors.call(() -> jdbi.inTransaction(h -> {
            // The pair's row lock orders concurrent edits of one pair, so the count check below holds.
            boolean exists = h.createQuery("SELECT 1 FROM pairs WHERE name = :pair FOR UPDATE").bind("pair", pair)
                    .mapTo(Integer.class).findOne().isPresent();
            if (!exists) {
                throw new NotInInventoryException("pair", pair);
            }
            Labels after = edit.applyTo(read(h, pair)); // refuses more than Labels.MAX_PER_PAIR before anything is written
            for (String key : edit.remove()) {
                h.createUpdate("DELETE FROM pair_labels WHERE pair = :pair AND key = :key").bind("pair", pair).bind("key", key).execute();
            }
            for (Map.Entry<String, String> label : edit.set().entrySet()) {
                h.createUpdate("""
                                INSERT INTO pair_labels (pair, key, value) VALUES (:pair, :key, :value)
                                ON CONFLICT (pair, key) DO UPDATE SET value = EXCLUDED.value""")
                        .bind("pair", pair).bind("key", label.getKey()).bind("value", label.getValue()).execute();
            }
            return after;
        }));
    }

    private static Labels read(Handle h, String pair) {
        Map<String, String> values = new LinkedHashMap<>();
        h.createQuery("SELECT key, value FROM pair_labels WHERE pair = :pair ORDER BY key").bind("pair", pair)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> values.put(e.getKey(), e.getValue()));
        return new Labels(values);
    }
}
