package dev.duplex.cli.env;

import dev.duplex.engine.envsync.CostModel;
import java.util.Locale;

/** Cost models in words. */
final class Models {
    private Models() {
    }

    static String describe(CostModel model) {
        return String.format(Locale.ROOT,
                "diff apply = %.1f us + %.3f us/entry + %.3f us/page; full write = %.1f us + %.3f ns/byte "
                        + "(%d observation(s) since calibration)",
                model.diffFixedNanos() / 1e3, model.nanosPerEntry() / 1e3, model.nanosPerPage() / 1e3,
                model.fullFixedNanos() / 1e3, model.nanosPerByte(), model.observations());
    }
}
