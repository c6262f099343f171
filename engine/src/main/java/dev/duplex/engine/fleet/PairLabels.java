package dev.duplex.engine.fleet;

import java.util.Map;

/** The port for pairs' labels; a pair's labels go when the pair does. */
public interface PairLabels {
    /** The pair's labels; none for a pair without labels (or no such pair). */
    Labels of(String pair);

    /** Every labelled pair's labels, for selecting a fleet in one read. */
    Map<String, Labels> all();

    /**
     * Applies {@code edit} to the pair's labels in one transaction and returns them after it.
     * Refused ({@link dev.duplex.engine.inventory.NotInInventoryException}) for a pair that does not exist.
     */
    Labels change(String pair, LabelEdit edit);
}
