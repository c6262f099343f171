package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/** The named object does not exist on the platform. The message always names it. */
public class ObjectNotFoundException extends DriverException {
    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(ObjectId object) {
        this(object, null);
    }

    public ObjectNotFoundException(ObjectId object, Throwable cause) {
        super(requireNonNull(object, "object is null") + " not found", object, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
