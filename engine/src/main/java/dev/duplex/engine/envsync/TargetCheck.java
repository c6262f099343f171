package dev.duplex.engine.envsync;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Re-reads a store after a write and compares it with the expected revision and item checksums. */
final class TargetCheck {
    private static final Logger log = LoggerFactory.getLogger(TargetCheck.class);

    private TargetCheck() {
    }

    /** An item's expected length and CRC32C. */
    record Expected(int length, int crc) {
    }

    /**
     * @param expected item name to its expected length and CRC32C; items not named must be absent
     */
    static void verify(EnvironmentStore store, long revision, Map<String, Expected> expected, String what) {
        EnvironmentSnapshot after = store.read();
        Optional<String> problem = problem(after, revision, expected);
        if (problem.isPresent()) {
            String message = what + " was written but the store does not read back as revision " + revision + ": "
                    + problem.get() + ". The standby's info is now in an unknown state: do not start the standby; "
                    + "write the whole info again from the active's copy (a full write), and if that also fails "
                    + "verification, check the store's storage for errors.";
            log.error(message);
            throw new TargetVerificationException(message);
        }
    }

    private static Optional<String> problem(EnvironmentSnapshot after, long revision, Map<String, Expected> expected) {
        if (after.revision() != revision) {
            return Optional.of("it reads back at revision " + after.revision());
        }
        for (EnvironmentItem item : after.items()) {
            if (!expected.containsKey(item.name())) {
                return Optional.of("item '" + item.name() + "' is present but should not be");
            }
        }
        for (var e : expected.entrySet()) {
            Optional<EnvironmentItem> item = after.item(e.getKey());
            if (item.isEmpty()) {
                return Optional.of("item '" + e.getKey() + "' is missing");
            }
            byte[] content = item.get().content();
            int crc = Checksums.crc32c(content);
            if (content.length != e.getValue().length() || crc != e.getValue().crc()) {
                return Optional.of("item '" + e.getKey() + "' reads back with length " + content.length + " and CRC32C "
                        + Checksums.hex(crc) + " instead of " + e.getValue().length() + " and " + Checksums.hex(e.getValue().crc()));
            }
        }
        return Optional.empty();
    }
}
