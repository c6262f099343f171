package dev.duplex.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.engine.fleet.FleetJob;
import dev.duplex.engine.fleet.LabelEdit;
import dev.duplex.engine.fleet.Labels;
import dev.duplex.engine.inventory.NotInInventoryException;
import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.LiveJobExistsException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pairs' labels and fleet jobs (V9) on real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiPairLabelsTest {
    private Database database;
    private JdbiInventory inventory;
    private JdbiPairLabels labels;
    private JdbiJobQueue jobs;

    @BeforeAll
    void start(TestServer server) {
        database = server.startFresh("pair_labels_test");
        inventory = new JdbiInventory(database.jdbi());
        labels = new JdbiPairLabels(database.jdbi());
        jobs = new JdbiJobQueue(database.jdbi());
    }

    @AfterAll
    void stop() {
        database.close();
    }

    @BeforeEach
    void empty() {
        database.jdbi().useHandle(h -> h.execute(
                "TRUNCATE endpoints, images, volumes, vms, vm_links, pairs, pair_members, pair_labels, jobs, job_steps CASCADE"));
    }

    @Test
    void labelsAreSetChangedRemovedAndListedAndGoWithTheirPair() {
        Fixtures.addPair(inventory, "kv");
        Fixtures.addPair(inventory, "db");

        assertEquals(Labels.none(), labels.of("kv"));
        assertEquals(new Labels(Map.of("tier", "db", "site", "fra")), labels.change("kv", LabelEdit.parse(List.of("tier=db", "site=fra"))));
        assertEquals(new Labels(Map.of("tier", "web")), labels.change("kv", LabelEdit.parse(List.of("tier=web", "site-"))));
        labels.change("db", LabelEdit.parse(List.of("tier=db", "absent-")));

        assertEquals(Map.of("kv", new Labels(Map.of("tier", "web")), "db", new Labels(Map.of("tier", "db"))), labels.all());
        inventory.removePair("kv");
        assertEquals(Set.of("db"), labels.all().keySet(), "a pair's labels go with it");
    }

    @Test
    void aLabelOfAnUnknownPairOrTooManyLabelsAreRefusedAndNothingIsWritten() {
        Fixtures.addPair(inventory, "kv");
        assertThrows(NotInInventoryException.class, () -> labels.change("nope", LabelEdit.parse(List.of("tier=db"))));

        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < Labels.MAX_PER_PAIR; i++) {
            many.put("k" + i, "v");
        }
        labels.change("kv", new LabelEdit(many, Set.of()));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> labels.change("kv", LabelEdit.parse(List.of("one-more=x"))));
        assertTrue(refused.getMessage().startsWith("A pair has at most 32 labels, not 33"), refused.getMessage());
        assertEquals(Labels.MAX_PER_PAIR, labels.of("kv").values().size());
    }

    @Test
    void theDatabaseHoldsTheLabelRuleForAWriterThatIsNotTheEngine() {
        Fixtures.addPair(inventory, "kv");
        for (String[] bad : new String[][] {{"Tier", "db"}, {"tier", "db;drop"}, {"tier", ""}, {"", "x"}, {"tier", "x\n"}, {"-tier", "x"},
                {"tier", "a".repeat(64)}}) {
            assertThrows(JdbiException.class, () -> database.jdbi().useHandle(h -> h.createUpdate(
                    "INSERT INTO pair_labels (pair, key, value) VALUES ('kv', :k, :v)").bind("k", bad[0]).bind("v", bad[1]).execute()),
                    bad[0] + "=" + bad[1]);
        }
        assertEquals(Labels.none(), labels.of("kv"));
    }

    @Test
    void aFleetJobNeedsNoPairTakesNoVmAndOnlyOneFleetToAnImageIsLive() {
        Fixtures.addPair(inventory, "kv");
        Job fleet = jobs.create(FleetJob.KIND, FleetJob.target("v2"), "ops@host", Map.of("image", "v2", "waves", "[[\"kv\"]]"));

        assertEquals("fleet:v2", fleet.pair());
        Job pairJob = jobs.create("upgrade", "kv", "ops@host", Map.of());
        assertTrue(pairJob.id() > fleet.id(), "the fleet's pair jobs run beside it: it holds none of their VMs");
        LiveJobExistsException second = assertThrows(LiveJobExistsException.class,
                () -> jobs.create(FleetJob.KIND, FleetJob.target("v2"), "ops@host", Map.of()));
        assertTrue(second.getMessage().contains("live upgrade-fleet job #" + fleet.id()), second.getMessage());
        assertThrows(NotInInventoryException.class, () -> jobs.create("upgrade", "fleet:v2", "ops@host", Map.of()),
                "only a fleet job may name a fleet target");
        jobs.finish(fleet.id(), JobState.SUCCEEDED, Optional.empty());
        assertEquals(JobState.SUCCEEDED, jobs.job(fleet.id()).orElseThrow().state());
    }
}
