package dev.duplex.cli.env;

import dev.duplex.engine.envsync.CostModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Cost models in words, and as docs/output.md describes them (kind "cost_model"). */
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

    /**
     * A model's coefficients in nanoseconds (numbers, not whole: they are rates, not times that
     * passed), and how many failovers corrected it since calibration.
     */
    static Map<String, Object> view(CostModel model) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("diff_fixed_ns", model.diffFixedNanos());
        view.put("ns_per_entry", model.nanosPerEntry());
        view.put("ns_per_page", model.nanosPerPage());
        view.put("full_fixed_ns", model.fullFixedNanos());
        view.put("ns_per_byte", model.nanosPerByte());
        view.put("noise_ns", model.noiseNanos());
        view.put("observations", model.observations());
        return view;
    }
}
