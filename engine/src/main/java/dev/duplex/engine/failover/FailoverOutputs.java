package dev.duplex.engine.failover;

import dev.duplex.engine.envsync.SyncReport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The journal outputs of the sync phase: what was chosen, why, predicted and actual times. */
final class FailoverOutputs {
    private FailoverOutputs() {
    }

    static Map<String, String> of(SyncReport report) {
        var outputs = new LinkedHashMap<String, String>();
        outputs.put("chosen", report.decision().path().name());
        outputs.put("performed", report.performed().name());
        outputs.put("fromRevision", Long.toString(report.fromRevision()));
        outputs.put("toRevision", Long.toString(report.toRevision()));
        outputs.put("reason", report.reason());
        nanos(report.decision().predictedDiff()).ifPresent(n -> outputs.put("predictedDiffNanos", n));
        nanos(report.decision().predictedFull()).ifPresent(n -> outputs.put("predictedFullNanos", n));
        outputs.put("actualNanos", Long.toString(report.actual().toNanos()));
        outputs.put("bytesWritten", Long.toString(report.bytesWritten()));
        return outputs;
    }

    private static Optional<String> nanos(Optional<Duration> duration) {
        return duration.map(d -> Long.toString(d.toNanos()));
    }
}
