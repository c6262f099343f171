package dev.duplex.engine.failover;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.api.EnvironmentStore;
import dev.duplex.api.InvalidSpecException;
import dev.duplex.engine.envstore.EnvironmentArchive;
import dev.duplex.engine.envstore.StoredDiff;
import dev.duplex.engine.envstore.StoredRevision;
import dev.duplex.engine.envsync.DiffBase;
import dev.duplex.engine.envsync.DiffDecoder;
import dev.duplex.engine.envsync.EnvironmentSync;
import dev.duplex.engine.inventory.Inventory;
import dev.duplex.engine.inventory.PairRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed S300, run on every update of the active's operating-environment info: records the
 * active's latest info (101) under the active VM's name, reads the cold standby's current info
 * (111) through its driver (a stopped VM's store is readable), and when the revisions differ
 * extracts, encodes and stores the diff (103) — ahead of any failure, so failover only applies it.
 */
public final class EnvironmentPush {
    private static final Logger log = LoggerFactory.getLogger(EnvironmentPush.class);

    private final Inventory inventory;
    private final EnvironmentArchive archive;
    private final EndpointDrivers drivers;
    private final EnvironmentSync sync;
    private final Clock clock;

    public EnvironmentPush(Inventory inventory, EnvironmentArchive archive, EndpointDrivers drivers) {
        this(inventory, archive, drivers, new EnvironmentSync(), Clock.systemUTC());
    }

    public EnvironmentPush(Inventory inventory, EnvironmentArchive archive, EndpointDrivers drivers,
            EnvironmentSync sync, Clock clock) {
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.archive = requireNonNull(archive, "archive is null");
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.sync = requireNonNull(sync, "sync is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Records {@code activeInfo} as the active's latest info and stores the standby's diff.
     *
     * @throws IllegalArgumentException when the revision is older than one already recorded for the
     *     active, or than the standby's current revision (a diff cannot go backwards)
     */
    public PushReport push(String pairName, EnvironmentSnapshot activeInfo) {
        requireNonNull(activeInfo, "activeInfo is null");
        PairRecord pair = PairMember.pair(inventory, pairName);
        PairMember active = PairMember.of(inventory, pair, pair.activeSystem());
        PairMember standby = PairMember.of(inventory, pair, 1 - pair.activeSystem());
        archive.latestRevision(active.name()).ifPresent(latest -> {
            if (latest.snapshot().revision() > activeInfo.revision()) {
                throw new IllegalArgumentException("Revision " + activeInfo.revision() + " of " + active.name()
                        + " is older than revision " + latest.snapshot().revision()
                        + " already recorded; push the active's latest info with a higher revision");
            }
            List<String> changed = differingItems(latest.snapshot(), activeInfo);
            if (latest.snapshot().revision() == activeInfo.revision() && !changed.isEmpty()) {
                // A revision names one content: accepting new bytes under it would store no diff and boot the standby stale.
                throw new IllegalArgumentException("Revision " + activeInfo.revision() + " of " + active.name()
                        + " is already recorded with other content (" + String.join(", ", changed)
                        + "); push the new content as revision " + (activeInfo.revision() + 1));
            }
        });
        EnvironmentStore standbyStore = drivers.driver(standby.endpoint()).environment(standby.ref());
        EnvironmentSnapshot standbyInfo = standbyStore.read();
        try {
            standbyStore.check(activeInfo);
        } catch (InvalidSpecException e) {
            throw new IllegalArgumentException("The standby " + standby.name() + " of pair " + pair.name()
                    + " could not boot on this info: " + e.getMessage() + "; nothing was recorded", e);
        }
        if (standbyInfo.revision() > activeInfo.revision()) {
            throw new IllegalArgumentException("The standby " + standby.name() + " is at revision "
                    + standbyInfo.revision() + ", newer than the pushed revision " + activeInfo.revision() + " of "
                    + active.name() + "; push the active's latest info with a revision above "
                    + standbyInfo.revision());
        }
        archive.saveRevision(new StoredRevision(active.name(), activeInfo, clock.instant()));
        Optional<byte[]> diff = sync.prepare(activeInfo, standbyInfo);
        PushReport report;
        if (diff.isEmpty()) {
            report = new PushReport(pair.name(), active.name(), standby.name(), activeInfo.revision(),
                    standbyInfo.revision(), Optional.empty(), 0);
        } else {
            long entries = new DiffDecoder().decode(diff.get(), DiffBase.of(standbyInfo)).entryCount();
            archive.saveDiff(new StoredDiff(standby.name(), standbyInfo.revision(), activeInfo.revision(), diff.get(),
                    (int) Math.min(Integer.MAX_VALUE, entries)));
            report = new PushReport(pair.name(), active.name(), standby.name(), activeInfo.revision(),
                    standbyInfo.revision(), Optional.of(diff.get().length), entries);
        }
        log.info("Environment push on pair {}: {}", pair.name(), report.summary());
        return report;
    }

    /** The items whose content differs between two snapshots, or that only one of them has, by name. */
    static List<String> differingItems(EnvironmentSnapshot a, EnvironmentSnapshot b) {
        Set<String> names = new TreeSet<>();
        a.items().forEach(i -> names.add(i.name()));
        b.items().forEach(i -> names.add(i.name()));
        List<String> differing = new ArrayList<>();
        for (String name : names) {
            Optional<EnvironmentItem> left = a.item(name);
            Optional<EnvironmentItem> right = b.item(name);
            if (!left.equals(right)) {
                differing.add("item '" + name + "'" + (left.isPresent() && right.isPresent() ? " differs" : left.isPresent() ? " is gone" : " is new"));
            }
        }
        return differing;
    }
}
