package dev.duplex.driver.openstack;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.BytePatch;
import dev.duplex.api.ConflictException;
import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentUpdate;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.api.ItemChange;
import dev.duplex.api.ObjectId;
import dev.duplex.api.ObjectKind;
import dev.duplex.api.ObjectNotFoundException;
import dev.duplex.api.PlatformException;
import dev.duplex.api.VmRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * How a VM's operating-environment items sit in its Nova server's metadata, which holds only
 * short strings (key and value at most 255 characters) and at most the project's
 * {@code metadata_items} quota of them. Pure layout, no I/O: {@link ServerMetadataEnvironmentStore}
 * reads and writes the map.
 *
 * <p>Each write lays its items down under a fresh <em>generation</em> tag: per item a descriptor
 * key {@code duplex_env.<gen>.<n>} = {@code "<length> <crc32> <name>"} and its base64 chunks
 * {@code duplex_env.<gen>.<n>.<chunk>}; the key {@code duplex_env} = {@code "<revision> <gen>
 * <item count> <crc32 of the descriptors>"} names the generation. The store replaces the whole
 * metadata in one request, so generations never mix in Nova; the tag and the CRCs make a reader
 * refuse what someone changed by hand (a stale chunk, an edited value) instead of returning it.
 */
final class ServerMetadataEnvironment {
    static final String HEADER = "duplex_env";
    static final String PREFIX = HEADER + ".";
    /** Nova's limit on a metadata key and on a value. */
    static final int MAX_STRING = 255;
    /** Base64 of 189 bytes is 252 characters: a whole number of base64 quads within 255. */
    static final int CHUNK_BYTES = 189;

    private ServerMetadataEnvironment() {}

    /** The snapshot the metadata holds: revision 0 and no items when it holds none. */
    static EnvironmentSnapshot read(Map<String, String> metadata, VmRef vm) {
        String header = metadata.get(HEADER);
        if (header == null) {
            return new EnvironmentSnapshot(0, List.of());
        }
        String[] fields = header.split(" ");
        try {
            if (fields.length != 4) {
                throw new IllegalArgumentException("header '" + header + "' has " + fields.length + " fields, not 4");
            }
            long revision = Long.parseLong(fields[0]);
            String generation = fields[1];
            int count = Integer.parseInt(fields[2]);
            CRC32 descriptorsCrc = new CRC32();
            List<EnvironmentItem> items = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                String descriptor = required(metadata, PREFIX + generation + "." + n);
                descriptorsCrc.update(descriptor.getBytes(StandardCharsets.UTF_8));
                String[] parts = descriptor.split(" ", 3);
                int length = Integer.parseInt(parts[0]);
                long crc = Long.parseLong(parts[1]);
                byte[] content = new byte[length];
                int chunks = chunkCount(length);
                for (int c = 0; c < chunks; c++) {
                    byte[] chunk = Base64.getDecoder().decode(required(metadata, PREFIX + generation + "." + n + "." + c));
                    int offset = c * CHUNK_BYTES;
                    if (chunk.length != Math.min(CHUNK_BYTES, length - offset)) {
                        throw new IllegalArgumentException("chunk " + c + " of item '" + parts[2] + "' has " + chunk.length + " bytes");
                    }
                    System.arraycopy(chunk, 0, content, offset, chunk.length);
                }
                if (crc32(content) != crc) {
                    throw new IllegalArgumentException("item '" + parts[2] + "' fails its CRC");
                }
                items.add(new EnvironmentItem(parts[2], content));
            }
            if (Long.toString(descriptorsCrc.getValue()).equals(fields[3])) {
                return new EnvironmentSnapshot(revision, items);
            }
            throw new IllegalArgumentException("the item list fails its CRC");
        } catch (RuntimeException e) {
            throw new PlatformException("The environment of VM " + vm + " in its server metadata is damaged (" + e.getMessage()
                    + "); someone changed the server's '" + HEADER + "' metadata: write the whole environment again", ObjectId.of(vm), e);
        }
    }

    private static String required(Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new IllegalArgumentException("key '" + key + "' is missing");
        }
        return value;
    }

    /** The items after {@code update}, checked against {@code current}; refuses a wrong revision or an absent item. */
    static List<EnvironmentItem> apply(EnvironmentSnapshot current, EnvironmentUpdate update, VmRef vm) {
        ObjectId object = ObjectId.of(vm);
        if (current.revision() != update.expectedRevision()) {
            throw new ConflictException("The environment of VM " + vm + " is at revision " + current.revision() + ", not "
                    + update.expectedRevision() + " as the update expects; read it again and recompute the update", object);
        }
        Map<String, EnvironmentItem> items = new LinkedHashMap<>();
        current.items().forEach(item -> items.put(item.name(), item));
        for (ItemChange change : update.changes()) {
            if (change instanceof ItemChange.Replace replace) {
                items.put(replace.item(), replace.content());
            } else if (change instanceof ItemChange.Remove remove) {
                if (items.remove(remove.item()) == null) {
                    throw absent(remove.item());
                }
            } else if (change instanceof ItemChange.Patch patch) {
                EnvironmentItem item = items.get(patch.item());
                if (item == null) {
                    throw absent(patch.item());
                }
                if (patch.newLength() > Integer.MAX_VALUE) {
                    throw new InvalidSpecException("Item '" + patch.item() + "' of VM " + vm + " would grow to "
                            + patch.newLength() + " bytes; server metadata holds far less", object);
                }
                byte[] content = Arrays.copyOf(item.content(), (int) patch.newLength());
                for (BytePatch range : patch.patches()) {
                    byte[] data = range.bytes();
                    System.arraycopy(data, 0, content, (int) range.offset(), data.length);
                }
                items.put(patch.item(), new EnvironmentItem(patch.item(), content));
            }
        }
        return List.copyOf(items.values());
    }

    private static ObjectNotFoundException absent(String item) {
        return new ObjectNotFoundException(new ObjectId(ObjectKind.ENVIRONMENT_ITEM, item));
    }

    /** The metadata keys (header last in iteration order) that hold {@code items} at {@code revision} as generation {@code generation}. */
    static Map<String, String> layout(long revision, String generation, List<EnvironmentItem> items, VmRef vm) {
        Map<String, String> keys = new LinkedHashMap<>();
        CRC32 descriptorsCrc = new CRC32();
        for (int n = 0; n < items.size(); n++) {
            EnvironmentItem item = items.get(n);
            byte[] content = item.content();
            String descriptor = content.length + " " + crc32(content) + " " + item.name();
            if (descriptor.length() > MAX_STRING || descriptor.getBytes(StandardCharsets.UTF_8).length > MAX_STRING) {
                throw new InvalidSpecException("The name of environment item '" + item.name() + "' of VM " + vm + " is too long for"
                        + " Nova's server metadata (255 characters with its size and checksum); use a shorter name", ObjectId.of(vm));
            }
            descriptorsCrc.update(descriptor.getBytes(StandardCharsets.UTF_8));
            keys.put(PREFIX + generation + "." + n, descriptor);
            for (int c = 0; c < chunkCount(content.length); c++) {
                int offset = c * CHUNK_BYTES;
                keys.put(PREFIX + generation + "." + n + "." + c, Base64.getEncoder().encodeToString(
                        Arrays.copyOfRange(content, offset, Math.min(content.length, offset + CHUNK_BYTES))));
            }
        }
        keys.put(HEADER, revision + " " + generation + " " + items.size() + " " + descriptorsCrc.getValue());
        return keys;
    }

    /** The environment's keys, sorted, for tests and messages. */
    static Map<String, String> environmentKeys(Map<String, String> metadata) {
        Map<String, String> keys = new TreeMap<>();
        metadata.forEach((k, v) -> {
            if (k.equals(HEADER) || k.startsWith(PREFIX)) {
                keys.put(k, v);
            }
        });
        return keys;
    }

    private static int chunkCount(int length) {
        return (length + CHUNK_BYTES - 1) / CHUNK_BYTES;
    }

    static long crc32(byte[] content) {
        CRC32 crc = new CRC32();
        crc.update(requireNonNull(content, "content is null"));
        return crc.getValue();
    }
}
