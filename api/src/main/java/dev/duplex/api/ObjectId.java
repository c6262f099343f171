package dev.duplex.api;

import static java.util.Objects.requireNonNull;

/**
 * Names the object an operation was about, for errors.
 *
 * @param kind what sort of object
 * @param id its identifier or name on the platform
 */
public record ObjectId(ObjectKind kind, String id) {
    public ObjectId {
        requireNonNull(kind, "kind is null");
        requireNonNull(id, "id is null");
    }

    public static ObjectId of(VmRef vm) {
        return new ObjectId(ObjectKind.VM, vm.toString());
    }

    public static ObjectId of(VolumeRef volume) {
        return new ObjectId(ObjectKind.VOLUME, volume.toString());
    }

    public static ObjectId of(ImageRef image) {
        return new ObjectId(ObjectKind.IMAGE, image.toString());
    }

    @Override
    public String toString() {
        return kind.words() + " '" + id + "'";
    }
}
