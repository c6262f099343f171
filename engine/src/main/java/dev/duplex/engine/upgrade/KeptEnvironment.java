package dev.duplex.engine.upgrade;

import dev.duplex.api.EnvironmentItem;
import dev.duplex.api.EnvironmentSnapshot;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A member's operating-environment info held in the job's journal while its VM is replaced.
 * S22/S27 (and the rollback's restore) delete one VM and create another; between the two the info
 * exists nowhere else, so it is journaled first and a resumed step writes it from here.
 * The journal line is {@code <step>/environment}: no step of a plan has a slash in its id.
 */
final class KeptEnvironment {
    static final String SUFFIX = "/environment";

    private final JobQueue jobQueue;
    private final long jobId;
    private final Map<String, StepRecord> journalAtStart;
    private final Map<String, EnvironmentSnapshot> keptByThisRun = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param journalAtStart the job's journal as the run found it (latest line per step): what an
     *     earlier process kept; nobody else writes the job's journal while this run owns it
     */
    KeptEnvironment(JobQueue jobQueue, long jobId, Map<String, StepRecord> journalAtStart) {
        this.jobQueue = jobQueue;
        this.jobId = jobId;
        this.journalAtStart = Map.copyOf(journalAtStart);
    }

    /** True for the journal lines this class writes, which are not steps of the plan. */
    static boolean isKeptLine(String stepId) {
        return stepId.indexOf('/') >= 0;
    }

    /** What step {@code stepId} kept, if it got that far before. */
    Optional<EnvironmentSnapshot> kept(String stepId) {
        EnvironmentSnapshot kept = keptByThisRun.get(stepId);
        if (kept != null) {
            return Optional.of(kept);
        }
        return Optional.ofNullable(journalAtStart.get(stepId + SUFFIX)).filter(record -> record.state() == StepState.DONE)
                .map(record -> decode(record.outputs()));
    }

    /**
     * Journals {@code snapshot} for step {@code stepId}, on disk when this returns (the caller deletes the VM it read it from
     * next); replaces what it kept before.
     */
    void keep(String stepId, EnvironmentSnapshot snapshot) {
        jobQueue.keptLine(jobId, stepId + SUFFIX, encode(snapshot));
        keptByThisRun.put(stepId, snapshot);
    }

    static Map<String, String> encode(EnvironmentSnapshot snapshot) {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("revision", Long.toString(snapshot.revision()));
        outputs.put("items", Integer.toString(snapshot.items().size()));
        Base64.Encoder base64 = Base64.getEncoder();
        for (int i = 0; i < snapshot.items().size(); i++) {
            EnvironmentItem item = snapshot.items().get(i);
            outputs.put("item." + i + ".name", item.name());
            outputs.put("item." + i + ".content", base64.encodeToString(item.content()));
        }
        return outputs;
    }

    static EnvironmentSnapshot decode(Map<String, String> outputs) {
        int count = Integer.parseInt(outputs.get("items"));
        List<EnvironmentItem> items = new ArrayList<>(count);
        Base64.Decoder base64 = Base64.getDecoder();
        for (int i = 0; i < count; i++) {
            items.add(new EnvironmentItem(outputs.get("item." + i + ".name"), base64.decode(outputs.get("item." + i + ".content"))));
        }
        return new EnvironmentSnapshot(Long.parseLong(outputs.get("revision")), items);
    }
}
