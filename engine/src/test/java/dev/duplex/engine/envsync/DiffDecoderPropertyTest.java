package dev.duplex.engine.envsync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.testing.InMemoryEnvironmentStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The decoder against random and damaged input. Any input is decoded or refused with
 * {@link DiffFormatException}, never another exception and never a hang; a diff of two random
 * revisions survives encode, decode and apply byte for byte; and a damaged diff is refused or
 * means exactly what the undamaged one meant.
 */
class DiffDecoderPropertyTest {
    /** Names that exercise the UTF-8 and name rules without breaking them. */
    private static final List<String> NAMES = List.of("settings", "hosts", "a b", "ümlaut", "日本語", "x.y", "\u00A0nbsp",
            "emoji-\uD83D\uDE00", "net-0", "net-1", "z");

    private final DiffDecoder decoder = new DiffDecoder();

    @Property(tries = 2000)
    void arbitraryBytes(@ForAll @Size(max = 600) byte[] bytes) {
        decodeOrRefuse(bytes);
    }

    @Property(tries = 2000)
    void mutatedValidDiffs(@ForAll("mutatedDiffs") byte[] bytes) {
        decodeOrRefuse(bytes);
    }

    /**
     * Random base and target revisions (items kept, changed, grown, shrunk, added, removed, empty)
     * go through extract, encode and decode unchanged, and the decoded diff, applied to the base
     * with all its checks, gives the target byte for byte.
     */
    @Property(tries = 300)
    void extractEncodeDecodeApplyGivesTheTarget(@ForAll long seed) {
        Revisions revisions = Revisions.random(new Random(seed));
        DiffInfo extracted = new DiffExtractor().extract(revisions.base, revisions.target);
        byte[] encoded = new DiffEncoder().encode(extracted);
        assertEquals(DiffEncoder.encodedSize(extracted), encoded.length);

        DiffInfo decoded = decoder.decode(encoded);
        assertEquals(extracted, decoded, "decode(encode(diff)) is the diff");
        assertArrayEquals(encoded, new DiffEncoder().encode(decoded), "encode(decode(bytes)) is the bytes");
        assertEquals(itemNames(revisions.base, revisions.target), decoded.items().stream().map(ItemDiff::name).toList(),
                "one row per item of either revision: the target's in its order, then the removed ones");

        var store = new InMemoryEnvironmentStore(revisions.base);
        new DiffApplier().apply(store, decoded);
        assertEquals(contents(revisions.target), contents(store.read()), "applied to the base, the diff gives the target");
    }

    /**
     * Any single-byte change of a valid diff is refused (by the decoder or the applier) or, once
     * applied, gives exactly the target. Every byte position of each diff is changed, to a random
     * other value. The diff's own CRC32C makes "refused" the outcome every time; this property
     * holds the format to that.
     */
    @Property(tries = 30)
    void everySingleByteChangeIsRefusedOrHarmless(@ForAll long seed) {
        var random = new Random(seed);
        Revisions revisions = Revisions.random(random);
        byte[] valid = new DiffEncoder().encode(new DiffExtractor().extract(revisions.base, revisions.target));
        for (int position = 0; position < valid.length; position++) {
            byte[] changed = valid.clone();
            changed[position] = (byte) (changed[position] + 1 + random.nextInt(255));
            Outcome outcome = Outcome.of(changed, revisions);
            assertTrue(outcome == Outcome.REFUSED || outcome == Outcome.SAME_TARGET,
                    "byte " + position + " changed from " + valid[position] + " to " + changed[position] + ": " + outcome);
            Statistics.label("outcome").collect(outcome);
        }
    }

    /**
     * The same with the diff's CRC32C recomputed after the change, so that the structure and
     * item checks have to catch it: refused before writing (the result of each item is checked
     * against its after checksum before the store is written), or the same target. The only changes that get through with
     * another result are those to the fields only the diff's CRC32C protects (documented in
     * {@code docs/diff-format.md}, "What the checksums protect"): the target revision, an ADDED
     * row's name, and a change code between KEPT and REMOVED of an item that is empty after.
     */
    @Property(tries = 20)
    void resealedSingleByteChangesAreRefusedCaughtOrHarmless(@ForAll long seed) {
        var random = new Random(seed);
        Revisions revisions = Revisions.random(random);
        DiffInfo diff = new DiffExtractor().extract(revisions.base, revisions.target);
        byte[] valid = new DiffEncoder().encode(diff);
        List<int[]> onlyDiffCrc = fieldsOnlyTheDiffCrcProtects(diff);
        for (int position = 0; position < valid.length - DiffFormat.CHECKSUM_BYTES; position++) {
            byte[] changed = valid.clone();
            changed[position] = (byte) (changed[position] + 1 + random.nextInt(255));
            Outcome outcome = Outcome.of(Fixtures.resealed(changed), revisions);
            int at = position;
            boolean unprotected = onlyDiffCrc.stream().anyMatch(range -> at >= range[0] && at < range[1]);
            // The applier checks each item's result against its after checksum before writing, so
            // nothing is caught only after the write any more.
            assertTrue(outcome != Outcome.CAUGHT_AFTER_WRITE,
                    "byte " + position + " changed and resealed was written, then caught: it must be refused before writing");
            assertTrue(outcome != Outcome.OTHER_RESULT || unprotected,
                    "byte " + position + " changed from " + valid[position] + " to " + changed[position]
                            + " and resealed gives another result, undetected");
            boolean lengthAfter = lengthsAfter(diff).stream().anyMatch(range -> at >= range[0] && at < range[1]);
            assertTrue(outcome != Outcome.OVERSIZED || lengthAfter,
                    "byte " + position + " changed and resealed asks for an oversized item, but is no length after");
            Statistics.label("outcome").collect(outcome);
        }
        // not vacuous: over the run, each way of meeting the property occurs, and so do the unprotected fields
        Statistics.label("outcome").coverage(coverage -> {
            coverage.check(Outcome.REFUSED).count(n -> n > 0);
            coverage.check(Outcome.SAME_TARGET).count(n -> n > 0);
            coverage.check(Outcome.OTHER_RESULT).count(n -> n > 0);
        });
    }

    /** [from, to) byte ranges of the encoded {@code diff}: target revision, ADDED names, change codes. */
    private static List<int[]> fieldsOnlyTheDiffCrcProtects(DiffInfo diff) {
        var ranges = new ArrayList<int[]>();
        ranges.add(new int[] {20, 28});
        int offset = DiffFormat.HEADER_BYTES;
        for (ItemDiff item : diff.items()) {
            int name = item.name().getBytes(StandardCharsets.UTF_8).length;
            if (item.change() == ItemDiff.Change.ADDED) {
                ranges.add(new int[] {offset + 2, offset + 2 + name});
            }
            ranges.add(new int[] {offset + 2 + name, offset + 3 + name});
            offset += DiffFormat.ITEM_ROW_FIXED_BYTES + name;
        }
        return ranges;
    }

    /** [from, to) byte ranges of the encoded {@code diff}'s "length after" fields. */
    private static List<int[]> lengthsAfter(DiffInfo diff) {
        var ranges = new ArrayList<int[]>();
        int offset = DiffFormat.HEADER_BYTES;
        for (ItemDiff item : diff.items()) {
            int name = item.name().getBytes(StandardCharsets.UTF_8).length;
            ranges.add(new int[] {offset + 7 + name, offset + 11 + name});
            offset += DiffFormat.ITEM_ROW_FIXED_BYTES + name;
        }
        return ranges;
    }

    /** Item sizes past this are not applied here: the applier builds whole items in memory (see the report). */
    private static final long LARGEST_APPLIED = 1 << 20;

    private enum Outcome {
        REFUSED, CAUGHT_AFTER_WRITE, SAME_TARGET, OTHER_RESULT,
        /** Decoded, but asks for items too large to apply in a unit test; only a changed "length after" may do that. */
        OVERSIZED;

        static Outcome of(byte[] bytes, Revisions revisions) {
            DiffInfo decoded;
            try {
                decoded = new DiffDecoder().decode(bytes);
            } catch (DiffFormatException refused) {
                return REFUSED;
            }
            if (decoded.items().stream().anyMatch(i -> i.lengthAfter() > LARGEST_APPLIED)) {
                return OVERSIZED;
            }
            var store = new InMemoryEnvironmentStore(revisions.base);
            try {
                new DiffApplier().apply(store, decoded);
            } catch (SyncRefusedException refused) {
                assertEquals(contents(revisions.base), contents(store.read()), "a refused apply wrote nothing");
                return REFUSED;
            } catch (TargetVerificationException caught) {
                return CAUGHT_AFTER_WRITE;
            }
            return contents(revisions.target).equals(contents(store.read())) ? SAME_TARGET : OTHER_RESULT;
        }
    }

    private void decodeOrRefuse(byte[] bytes) {
        try {
            decoder.decode(bytes);
        } catch (DiffFormatException expected) {
            // refused with a message: fine
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedDiffs() {
        return Arbitraries.longs().map(seed -> {
            var random = new Random(seed);
            byte[] valid = validDiff(random);
            byte[] mutated = valid.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            return switch (random.nextInt(4)) {
                case 0 -> mutated;
                case 1 -> Arrays.copyOf(valid, random.nextInt(valid.length + 8));
                // resealed: the checksum passes, so the structure checks must catch the damage
                default -> Fixtures.resealed(headerIntact(valid, mutated));
            };
        });
    }

    /** Keeps signature and version so mutations reach the checks behind them. */
    private static byte[] headerIntact(byte[] valid, byte[] mutated) {
        System.arraycopy(valid, 0, mutated, 0, 12);
        return mutated;
    }

    private static byte[] validDiff(Random random) {
        byte[] before = Fixtures.random(random, random.nextInt(200));
        byte[] after = Arrays.copyOf(Fixtures.mutate(random, before, random.nextInt(5), 30), random.nextInt(220));
        var base = Fixtures.snapshot(1, "settings", before, "gone", new byte[] {1});
        var target = Fixtures.snapshot(2, "settings", after, "new", Fixtures.random(random, random.nextInt(20)));
        return new DiffEncoder().encode(new DiffExtractor().extract(base, target));
    }

    /** The revision and each item's bytes, by name: what a store holds, whatever its item order. */
    private static Map<String, String> contents(EnvironmentSnapshot snapshot) {
        var contents = new TreeMap<String, String>();
        contents.put("/revision", Long.toString(snapshot.revision()));
        for (EnvironmentItem item : snapshot.items()) {
            contents.put(item.name(), HexFormat.of().formatHex(item.content()));
        }
        return contents;
    }

    private static List<String> itemNames(EnvironmentSnapshot base, EnvironmentSnapshot target) {
        var names = new ArrayList<String>();
        target.items().forEach(i -> names.add(i.name()));
        base.items().stream().filter(i -> target.item(i.name()).isEmpty()).forEach(i -> names.add(i.name()));
        return names;
    }

    /** A random base revision and a random target revision of it (same revision number at times). */
    private record Revisions(EnvironmentSnapshot base, EnvironmentSnapshot target) {
        static Revisions random(Random random) {
            var names = new ArrayList<>(NAMES);
            java.util.Collections.shuffle(names, random);
            var base = new ArrayList<EnvironmentItem>();
            var target = new ArrayList<EnvironmentItem>();
            int count = 1 + random.nextInt(5);
            for (String name : names.subList(0, count)) {
                byte[] before = content(random);
                switch (random.nextInt(6)) {
                    case 0 -> base.add(new EnvironmentItem(name, before)); // removed
                    case 1 -> target.add(new EnvironmentItem(name, content(random))); // added
                    case 2 -> {
                        base.add(new EnvironmentItem(name, before)); // unchanged
                        target.add(new EnvironmentItem(name, before));
                    }
                    default -> {
                        base.add(new EnvironmentItem(name, before)); // changed, maybe resized
                        byte[] after = Fixtures.mutate(random, before, random.nextInt(6), 1 + random.nextInt(40));
                        if (random.nextInt(3) == 0) {
                            after = Arrays.copyOf(after, random.nextInt(after.length + 40));
                        }
                        target.add(new EnvironmentItem(name, after));
                    }
                }
            }
            java.util.Collections.shuffle(target, random);
            long from = random.nextInt(1000);
            long to = from + (random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(5));
            return new Revisions(new EnvironmentSnapshot(from, base), new EnvironmentSnapshot(to, target));
        }

        private static byte[] content(Random random) {
            return switch (random.nextInt(4)) {
                case 0 -> new byte[0];
                case 1 -> new byte[random.nextInt(100)]; // zeros: an added item costs nothing for them
                default -> Fixtures.random(random, random.nextInt(300));
            };
        }
    }
}
