package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.EnvironmentSnapshot;

import dev.duplex.engine.envsync.Calibration;
import dev.duplex.engine.envsync.CostModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvironmentCalibrationTest {
    @Test
    void savesTheMeasuredModelUnderTheVmsNameAndLeavesTheStoreAsItWas() {
        var fixture = new FailoverFixture();
        var calibration = new EnvironmentCalibration(fixture.inventory, fixture.archive, fixture.drivers,
                new Calibration(System::nanoTime, 1, List.of(1, 16)));

        CostModel model = calibration.calibrate("kv-1");

        assertEquals(model, CostModel.fromMap(fixture.archive.calibration("kv-1").orElseThrow()));
        assertTrue(FailoverFixture.sameItems(fixture.standbyInfo, fixture.driver.environmentOf("id-1")));
    }

    @Test
    void aFreshStandbysEmptyStoreIsMeasuredWithTheActivesPushedInfoAndLeftEmpty() {
        var fixture = new FailoverFixture();
        fixture.driver.addVm("id-1", dev.duplex.api.VmState.STOPPED, new EnvironmentSnapshot(0, List.of()));
        fixture.push().push("kv", fixture.activeInfo(7, 5));
        var calibration = new EnvironmentCalibration(fixture.inventory, fixture.archive, fixture.drivers,
                new Calibration(System::nanoTime, 1, List.of(1, 16)));

        CostModel model = calibration.calibrate("kv-1");

        assertEquals(model, CostModel.fromMap(fixture.archive.calibration("kv-1").orElseThrow()));
        EnvironmentSnapshot after = fixture.driver.environmentOf("id-1");
        assertEquals(0, after.revision());
        assertTrue(after.items().isEmpty(), after.toString());
    }

    @Test
    void aFreshStandbyWithNothingPushedNamesThePushToRunFirst() {
        var fixture = new FailoverFixture();
        fixture.driver.addVm("id-1", dev.duplex.api.VmState.STOPPED, new EnvironmentSnapshot(0, List.of()));
        var calibration = new EnvironmentCalibration(fixture.inventory, fixture.archive, fixture.drivers);

        var e = assertThrows(IllegalStateException.class, () -> calibration.calibrate("kv-1"));

        assertTrue(e.getMessage().contains("nothing was pushed for kv-0 yet; push the active's info first: duplex env push kv"),
                e.getMessage());
    }
}
