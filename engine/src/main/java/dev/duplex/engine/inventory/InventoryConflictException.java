package dev.duplex.engine.inventory;

/** A change the inventory refuses because it contradicts what is recorded (a name taken, a VM already in a pair, an endpoint still used). The message names the conflict. */
public class InventoryConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InventoryConflictException(String message) {
        super(message);
    }

    public InventoryConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
