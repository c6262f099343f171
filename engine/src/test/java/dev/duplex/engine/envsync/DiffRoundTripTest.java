package dev.duplex.engine.envsync;

import dev.duplex.engine.testing.InMemoryEnvironmentStore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** extract → encode → decode → apply gives exactly the target's bytes. */
class DiffRoundTripTest {
    @Test
    void randomChangesGrowShrinkAppearDisappear() {
        var random = new Random(7);
        for (int round = 0; round < 400; round++) {
            EnvironmentSnapshot base = randomSnapshot(random, round);
            EnvironmentSnapshot target = changed(random, base);
            var store = new InMemoryEnvironmentStore(base);

            byte[] encoded = new DiffEncoder().encode(new DiffExtractor().extract(base, target));
            DiffInfo decoded = new DiffDecoder().decode(encoded);
            new DiffApplier().apply(store, decoded);

            assertEquals(Fixtures.bytesOf(sorted(target)), Fixtures.bytesOf(sorted(store.read())), "round " + round);
            assertEquals(1, store.writes);
        }
    }

    @Test
    void fullWriteReplacesAndRemoves() {
        var store = new InMemoryEnvironmentStore(Fixtures.snapshot(3, "settings", new byte[] {1}, "old", new byte[] {2}));
        EnvironmentSnapshot target = Fixtures.snapshot(5, "settings", new byte[] {9, 9}, "new", new byte[] {3});
        AppliedWrite write = new FullWriter().write(store, target);
        assertEquals(Fixtures.bytesOf(sorted(target)), Fixtures.bytesOf(sorted(store.read())));
        assertEquals(3, write.itemsChanged());
        assertEquals(1, store.writes);
    }

    private static EnvironmentSnapshot randomSnapshot(Random random, int round) {
        var items = new ArrayList<EnvironmentItem>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            items.add(new EnvironmentItem("item" + i, Fixtures.random(random, random.nextInt(round % 3 == 0 ? 5000 : 200))));
        }
        return new EnvironmentSnapshot(random.nextInt(100), items);
    }

    private static EnvironmentSnapshot changed(Random random, EnvironmentSnapshot base) {
        var items = new ArrayList<EnvironmentItem>();
        for (EnvironmentItem item : base.items()) {
            int what = random.nextInt(6);
            byte[] content = item.content();
            switch (what) {
                case 0 -> { } // disappears
                case 1 -> items.add(item);
                case 2 -> items.add(new EnvironmentItem(item.name(), java.util.Arrays.copyOf(
                        Fixtures.mutate(random, content, 3, 40), content.length + random.nextInt(100))));
                case 3 -> items.add(new EnvironmentItem(item.name(), java.util.Arrays.copyOf(
                        Fixtures.mutate(random, content, 3, 40), random.nextInt(content.length + 1))));
                default -> items.add(new EnvironmentItem(item.name(), Fixtures.mutate(random, content, random.nextInt(30), 50)));
            }
        }
        if (random.nextBoolean()) {
            items.add(new EnvironmentItem("appeared", Fixtures.random(random, random.nextInt(300))));
        }
        return new EnvironmentSnapshot(base.revision() + 1 + random.nextInt(3), items);
    }

    private static EnvironmentSnapshot sorted(EnvironmentSnapshot snapshot) {
        return new EnvironmentSnapshot(snapshot.revision(), snapshot.items().stream()
                .sorted(java.util.Comparator.comparing(EnvironmentItem::name)).toList());
    }
}
