package dev.duplex.engine.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
