package dev.duplex.engine.envsync;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Any input is decoded or refused with {@link DiffFormatException}: never another exception, never a hang. */
class DiffDecoderPropertyTest {
    private final DiffDecoder decoder = new DiffDecoder();

    @Property(tries = 2000)
    void arbitraryBytes(@ForAll @Size(max = 600) byte[] bytes) {
        decodeOrRefuse(bytes);
    }

    @Property(tries = 2000)
    void mutatedValidDiffs(@ForAll("mutatedDiffs") byte[] bytes) {
        decodeOrRefuse(bytes);
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
                case 1 -> java.util.Arrays.copyOf(valid, random.nextInt(valid.length + 8));
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
        byte[] after = java.util.Arrays.copyOf(Fixtures.mutate(random, before, random.nextInt(5), 30),
                random.nextInt(220));
        var base = Fixtures.snapshot(1, "settings", before, "gone", new byte[] {1});
        var target = Fixtures.snapshot(2, "settings", after, "new", Fixtures.random(random, random.nextInt(20)));
        return new DiffEncoder().encode(new DiffExtractor().extract(base, target));
    }

}
