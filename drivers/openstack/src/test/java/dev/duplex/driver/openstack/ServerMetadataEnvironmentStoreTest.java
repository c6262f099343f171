package dev.duplex.driver.openstack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.UnsupportedOperationDriverException;
import dev.duplex.api.VmRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules against an in-memory server metadata map that enforces Nova's limits
 * (255-character keys and values, the per-server item quota) and can be cut off after a number
 * of calls. The same store runs against the real Nova in {@link OpenstackContractTest}.
 */
class ServerMetadataEnvironmentStoreTest {
    private final VmRef vm = new VmRef("3f0c-server", "sip-1");
    private final NovaMetadata nova = new NovaMetadata(128);
    private final ServerMetadataEnvironmentStore store = new ServerMetadataEnvironmentStore(nova, vm, "openstack");

    /** A server's metadata as Nova keeps it, with its limits; fails every call after {@code callsLeft} runs out. */
    static final class NovaMetadata implements ServerMetadataEnvironmentStore.ServerMetadata {
        final Map<String, String> metadata = new HashMap<>(Map.of("duplex_image_name", "sip-2.0"));
        final int quota;
        int callsLeft = Integer.MAX_VALUE;

        NovaMetadata(int quota) {
            this.quota = quota;
        }

        private void call() {
            if (callsLeft-- <= 0) {
                throw new PlatformException("connection reset", null);
            }
        }

        @Override
        public Map<String, String> read(VmRef vm) {
            call();
            return Map.copyOf(metadata);
        }

        @Override
        public void replace(VmRef vm, Map<String, String> keys) {
            call();
            keys.forEach((k, v) -> {
                assertTrue(k.length() <= 255 && !k.isEmpty(), "key length " + k.length());
                assertTrue(v.length() <= 255, "value length " + v.length() + " of " + k);
                assertTrue(k.matches("[a-zA-Z0-9-_:. ]+"), "Nova's key characters: " + k);
            });
            if (keys.size() > quota) {
                throw new PlatformException("Quota exceeded for metadata items", null);
            }
            metadata.clear();
            metadata.putAll(keys);
        }

        @Override
        public int maxItems() {
            call();
            return quota;
        }
    }

    private static byte[] bytes(int length, int seed) {
        byte[] content = new byte[length];
        for (int i = 0; i < length; i++) {
            content[i] = (byte) (i * 7 + seed);
        }
        return content;
    }

    private void replace(long from, long to, String name, byte[] content) {
        store.write(new EnvironmentUpdate(from, to, List.of(new ItemChange.Replace(new EnvironmentItem(name, content)))));
    }

    @Test
    public void itemsOfEverySizeAroundAChunkRoundTripByteForByte() {
        long revision = 0;
        for (int size : new int[] {0, 1, 188, 189, 190, 378, 379, 4000}) {
            byte[] content = bytes(size, size);
            replace(revision, revision + 1, "configuration", content);
            revision++;
            assertArrayEquals(content, store.read().item("configuration").orElseThrow().content(), size + " bytes");
        }
        assertEquals(revision, store.read().revision());
        assertEquals("sip-2.0", nova.metadata.get("duplex_image_name"), "the driver's own keys are left alone");
    }

    @Test
    public void aWriteLeavesOnlyTheNewGenerationsKeys() {
        replace(0, 1, "configuration", bytes(1000, 1));
        replace(1, 2, "configuration", bytes(10, 2));
        // header + descriptor + one chunk, and the image name
        assertEquals(4, nova.metadata.size(), nova.metadata.keySet().toString());
    }

    @Test
    public void aWriteIsOneReplacementOfTheWholeMetadataAndAFailedOneChangesNothing() {
        replace(0, 3, "configuration", bytes(600, 3));
        Map<String, String> before = Map.copyOf(nova.metadata);
        nova.callsLeft = 2; // the read and the quota answer; the replacement fails
        assertThrows(PlatformException.class, () -> replace(3, 4, "configuration", bytes(900, 4)));
        nova.callsLeft = Integer.MAX_VALUE;
        assertEquals(before, nova.metadata, "the failed write left the metadata as it was");
        replace(3, 4, "configuration", bytes(900, 4));
        assertEquals(4, store.read().revision());
    }

    @Test
    public void aWrongRevisionIsAConflictAndChangesNothing() {
        replace(0, 2, "configuration", bytes(10, 1));
        Map<String, String> before = Map.copyOf(nova.metadata);
        ConflictException e = assertThrows(ConflictException.class, () -> replace(1, 3, "configuration", bytes(10, 2)));
        assertTrue(e.getMessage().contains("sip-1") && e.getMessage().contains("revision 2"), e.getMessage());
        assertEquals(before, nova.metadata);
    }

    @Test
    public void aPatchOrRemovalOfAnAbsentItemIsNotFoundAndChangesNothing() {
        replace(0, 1, "configuration", bytes(10, 1));
        Map<String, String> before = Map.copyOf(nova.metadata);
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class,
                () -> store.write(new EnvironmentUpdate(1, 2, List.of(new ItemChange.Remove("network")))));
        assertTrue(e.getMessage().contains("network"), e.getMessage());
        assertEquals(before, nova.metadata);
    }

    @Test
    public void firmwareSettingsAreUnsupportedWithTheStandardMessage() {
        UnsupportedOperationDriverException e = assertThrows(UnsupportedOperationDriverException.class,
                () -> replace(0, 1, "settings", bytes(10, 1)));
        assertEquals("The openstack driver does not support firmware settings", e.getMessage());
        assertEquals(0, store.read().revision());
    }

    @Test
    public void anEnvironmentBeyondTheQuotaIsRefusedNamingTheQuotaAndChangesNothing() {
        NovaMetadata small = new NovaMetadata(10);
        ServerMetadataEnvironmentStore tight = new ServerMetadataEnvironmentStore(small, vm, "openstack");
        tight.write(new EnvironmentUpdate(0, 1, List.of(new ItemChange.Replace(new EnvironmentItem("configuration", bytes(300, 1))))));
        Map<String, String> before = Map.copyOf(small.metadata);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> tight.write(new EnvironmentUpdate(1, 2,
                List.of(new ItemChange.Replace(new EnvironmentItem("configuration", bytes(3000, 2)))))));
        assertTrue(e.getMessage().contains("metadata_items quota") && e.getMessage().contains("allows 10"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(before, small.metadata);
    }

    @Test
    public void aHeaderOrChunkChangedByHandIsReportedAsDamaged() {
        replace(0, 1, "configuration", bytes(300, 1));
        String chunk = nova.metadata.keySet().stream().filter(k -> k.endsWith(".0.1")).findFirst().orElseThrow();
        nova.metadata.put(chunk, nova.metadata.get(chunk).replaceFirst("^.", "A".equals(nova.metadata.get(chunk).substring(0, 1)) ? "B" : "A"));
        PlatformException e = assertThrows(PlatformException.class, store::read);
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("sip-1"), e.getMessage());
        nova.metadata.put(ServerMetadataEnvironment.HEADER, "garbage");
        assertThrows(PlatformException.class, store::read);
    }

    @Test
    public void anItemNameTooLongForAMetadataValueIsRefused() {
        String name = "n".repeat(250);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> replace(0, 1, name, bytes(10, 1)));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
        assertEquals(Optional.empty(), store.read().item(name));
    }
}
