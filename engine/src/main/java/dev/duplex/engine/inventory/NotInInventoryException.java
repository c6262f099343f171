package dev.duplex.engine.inventory;

/** A named object is not in the inventory. */
public class NotInInventoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotInInventoryException(String kind, String name) {
        super("No " + kind + " named '" + name + "' in the inventory");
    }
}
