package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.testing.InMemoryEnvironmentStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The compressed container against random revisions and damage: encode, decode and apply give
 * the target; any single-byte change of a valid container is refused or means exactly what the
 * undamaged one meant, with its CRC32C left as it was or recomputed; and any bytes behind a
 * container's signature are decoded or refused with a {@link DiffFormatException}, nothing else.
 */
class DiffContainerPropertyTest {
    private static final List<String> NAMES = List.of("settings", "hosts", "ümlaut", "日本語", "net-0", "z");

    @Property(tries = 200)
    void encodeDecodeApplyGivesTheTarget(@ForAll long seed) {
        Revisions revisions = Revisions.random(new Random(seed));
        DiffInfo extracted = new DiffExtractor().extract(revisions.base, revisions.target);
        DiffBase base = DiffBase.of(revisions.base);
        byte[] container = new DiffEncoder().encodeContainer(extracted, base);

        DiffInfo decoded = new DiffDecoder().decode(container, base);
        assertEquals(extracted, decoded, "decode(container(diff)) is the diff");
        byte[] smaller = new DiffEncoder().encode(extracted, base);
        assertEquals(Math.min(container.length, DiffEncoder.encodedSize(extracted)), smaller.length, "the smaller form is written");
        assertEquals(extracted, new DiffDecoder().decode(smaller, base));

        var store = new InMemoryEnvironmentStore(revisions.base);
        new DiffApplier().apply(store, decoded);
        assertEquals(Fixtures.bytesOf(sorted(revisions.target)), Fixtures.bytesOf(sorted(store.read())));
        Statistics.label("container smaller").collect(DiffDecoder.isContainer(smaller));
    }

    /** Every byte position of each container changed to a random other value: refused, or the same target. */
    @Property(tries = 25)
    void everySingleByteChangeIsRefusedOrHarmless(@ForAll long seed) {
        var random = new Random(seed);
        Revisions revisions = Revisions.random(random);
        byte[] valid = new DiffEncoder().encodeContainer(new DiffExtractor().extract(revisions.base, revisions.target),
                DiffBase.of(revisions.base));
        for (int position = 0; position < valid.length; position++) {
            byte[] changed = valid.clone();
            changed[position] = (byte) (changed[position] + 1 + random.nextInt(255));
            Outcome outcome = Outcome.of(changed, revisions);
            assertTrue(outcome == Outcome.REFUSED || outcome == Outcome.SAME_TARGET,
                    "byte " + position + " changed: " + outcome);
            Statistics.label("outcome").collect(outcome);
        }
    }

    /**
     * The same with the container's CRC32C recomputed, so that what lies behind it has to catch
     * the damage: the revisions against the diff inside, the base's length and CRC32C against the
     * base, the frame by zstd and the diff's own CRC32C, the lengths by rebuilding the columns.
     */
    @Property(tries = 25)
    void resealedSingleByteChangesAreRefusedOrHarmless(@ForAll long seed) {
        var random = new Random(seed);
        Revisions revisions = Revisions.random(random);
        byte[] valid = new DiffEncoder().encodeContainer(new DiffExtractor().extract(revisions.base, revisions.target),
                DiffBase.of(revisions.base));
        for (int position = 0; position < valid.length - DiffContainerFormat.CHECKSUM_BYTES; position++) {
            byte[] changed = valid.clone();
            changed[position] = (byte) (changed[position] + 1 + random.nextInt(255));
            Outcome outcome = Outcome.of(Fixtures.resealed(changed), revisions);
            assertTrue(outcome == Outcome.REFUSED || outcome == Outcome.SAME_TARGET,
                    "byte " + position + " changed and resealed: " + outcome);
            Statistics.label("outcome").collect(outcome);
        }
    }

    /** Random bytes behind a valid container header (sealed, so they reach the frame): decoded or refused. */
    @Property(tries = 1000)
    void arbitraryFramesAreDecodedOrRefused(@ForAll @Size(max = 300) byte[] frame, @ForAll int diffLength,
            @ForAll int entryCount) {
        byte[] bytes = new byte[DiffContainerFormat.HEADER_BYTES + frame.length + DiffContainerFormat.CHECKSUM_BYTES];
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(DiffContainerFormat.SIGNATURE).putShort((short) 1).putShort((short) 0).putInt(bytes.length);
        out.putLong(1).putLong(2).putInt(0).putInt(0);
        out.putInt(Math.floorMod(diffLength, 4096)).putInt(Math.floorMod(entryCount, 256));
        out.put(frame);
        try {
            new DiffDecoder().decode(Fixtures.resealed(bytes), DiffBase.of(new EnvironmentSnapshot(1, List.of())));
        } catch (DiffFormatException refused) {
            // refused with a message: fine
        }
    }

    private static EnvironmentSnapshot sorted(EnvironmentSnapshot snapshot) {
        var items = new ArrayList<>(snapshot.items());
        items.sort((a, b) -> a.name().compareTo(b.name()));
        return new EnvironmentSnapshot(snapshot.revision(), items);
    }

    private enum Outcome {
        REFUSED, SAME_TARGET, OTHER_RESULT;

        static Outcome of(byte[] bytes, Revisions revisions) {
            DiffInfo decoded;
            try {
                decoded = new DiffDecoder().decode(bytes, DiffBase.of(revisions.base));
            } catch (DiffFormatException refused) {
                return REFUSED;
            }
            var store = new InMemoryEnvironmentStore(revisions.base);
            try {
                new DiffApplier().apply(store, decoded);
            } catch (SyncRefusedException refused) {
                return REFUSED;
            }
            return Fixtures.bytesOf(sorted(revisions.target)).equals(Fixtures.bytesOf(sorted(store.read())))
                    ? SAME_TARGET : OTHER_RESULT;
        }
    }

    /** A base and a target: firmware-like items (records and erased space) kept, changed, grown, added, removed. */
    private record Revisions(EnvironmentSnapshot base, EnvironmentSnapshot target) {
        static Revisions random(Random random) {
            var names = new ArrayList<>(NAMES);
            Collections.shuffle(names, random);
            var base = new ArrayList<EnvironmentItem>();
            var target = new ArrayList<EnvironmentItem>();
            for (String name : names.subList(0, 1 + random.nextInt(3))) {
                byte[] before = content(random);
                switch (random.nextInt(6)) {
                    case 0 -> base.add(new EnvironmentItem(name, before));
                    case 1 -> target.add(new EnvironmentItem(name, content(random)));
                    default -> {
                        base.add(new EnvironmentItem(name, before));
                        byte[] after = Fixtures.mutate(random, before, random.nextInt(8), 1 + random.nextInt(60));
                        // room for 32 copied bytes on both sides (a length of 65 left none: nextInt(0))
                        if (after.length >= 66 && before.length >= after.length / 2 + 32 && random.nextBoolean()) {
                            int from = random.nextInt(after.length / 2);
                            int to = after.length / 2 + random.nextInt(after.length / 2 - 32);
                            System.arraycopy(before, from, after, to, 32); // a copy of old content elsewhere
                        }
                        if (random.nextInt(4) == 0) {
                            after = Arrays.copyOf(after, random.nextInt(after.length + 64));
                        }
                        target.add(new EnvironmentItem(name, after));
                    }
                }
            }
            long from = random.nextInt(100);
            return new Revisions(new EnvironmentSnapshot(from, base), new EnvironmentSnapshot(from + 1, target));
        }

        private static byte[] content(Random random) {
            byte[] bytes = new byte[random.nextInt(2000)];
            Arrays.fill(bytes, (byte) 0xFF);
            int used = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            for (int i = 0; i < used; i++) {
                bytes[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : i % 7);
            }
            return bytes;
        }
    }
}
