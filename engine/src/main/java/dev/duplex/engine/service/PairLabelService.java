package dev.duplex.engine.service;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.audit.Actor;
import dev.duplex.engine.audit.AuditTrail;
import dev.duplex.engine.fleet.LabelEdit;
import dev.duplex.engine.fleet.Labels;
import dev.duplex.engine.fleet.PairLabels;
import dev.duplex.engine.inventory.PairRecord;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pairs' labels ({@code tier=db}): set at {@code pair create --label}, changed with
 * {@code pair label}, and what a fleet upgrade selects pairs by. Kept beside {@link PairService}
 * rather than in it so that the pair's own record stays as it is.
 */
public final class PairLabelService {
    private final PairService pairs;
    private final PairLabels labels;
    private final AuditTrail audit;

    @Inject
    public PairLabelService(PairService pairs, PairLabels labels, AuditTrail audit) {
        this.pairs = requireNonNull(pairs, "pairs is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    /**
     * Creates a pair with labels ({@code key=value} words): the labels are checked before the pair
     * is created, and the pair is removed again if they cannot be written.
     */
    public PairRecord create(CreatePair request, List<String> labelWords, Actor actor) {
        Labels initial = LabelEdit.parseLabels(labelWords);
        PairRecord pair = pairs.create(request, actor);
        if (!initial.values().isEmpty()) {
            try {
                labels.change(pair.name(), new LabelEdit(initial.values(), java.util.Set.of()));
            } catch (RuntimeException e) {
                pairs.delete(pair.name(), actor); // undo our own half: a pair without the labels asked for would be selected wrongly
                throw e;
            }
            audit.record(actor, "pair.label", "pair/" + pair.name(), Optional.empty(), Optional.of(initial.values()));
        }
        return pair;
    }

    /** Sets ({@code key=value}) and removes ({@code key-}) labels of a pair in one change; returns its labels after. */
    public Labels change(String pair, List<String> words, Actor actor) {
        LabelEdit edit = LabelEdit.parse(words);
        if (edit.isEmpty()) {
            throw new IllegalArgumentException("Pair '" + pair + "': no label change given; write KEY=VALUE to set a label, KEY- to remove it");
        }
        pairs.show(pair); // an unknown pair is named as such before anything is written
        Labels before = labels.of(pair);
        Labels after = labels.change(pair, edit);
        audit.record(actor, "pair.label", "pair/" + pair, Optional.of(before.values()), Optional.of(after.values()));
        return after;
    }

    /** The pair's labels; refused for an unknown pair. */
    public Labels of(String pair) {
        pairs.show(pair);
        return labels.of(pair);
    }

    /** Every labelled pair's labels. */
    public Map<String, Labels> all() {
        return labels.all();
    }
}
