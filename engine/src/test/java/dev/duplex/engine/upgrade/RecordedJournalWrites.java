package dev.duplex.engine.upgrade;

import dev.duplex.engine.job.ForwardingJobQueue;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A job queue that notes each journal write as one line ("done S21, started S22", "kept S22.kv-1/environment"), in order. */
final class RecordedJournalWrites extends ForwardingJobQueue {
    private final List<String> writes;

    /** Notes the writes in {@code writes}, which others (a watched driver) may add their own lines to. */
    RecordedJournalWrites(JobQueue journal, List<String> writes) {
        super(journal);
        this.writes = writes;
    }

    RecordedJournalWrites(JobQueue journal) {
        this(journal, Collections.synchronizedList(new ArrayList<>()));
    }

    List<String> writes() {
        return writes;
    }

    @Override
    public void stepStarted(long jobId, String stepId) {
        writes.add("started " + stepId);
        super.stepStarted(jobId, stepId);
    }

    @Override
    public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
        writes.add("done " + stepId);
        super.stepDone(jobId, stepId, outputs);
    }

    @Override
    public void stepDoneThenStarted(long jobId, String doneStep, Map<String, String> outputs, String nextStep) {
        writes.add("done " + doneStep + ", started " + nextStep);
        super.stepDoneThenStarted(jobId, doneStep, outputs, nextStep);
    }

    @Override
    public void keptLine(long jobId, String lineId, Map<String, String> outputs) {
        writes.add("kept " + lineId);
        super.keptLine(jobId, lineId, outputs);
    }

    @Override
    public void finish(long jobId, JobState state, Optional<String> error) {
        writes.add("finish " + state);
        super.finish(jobId, state, error);
    }

    @Override
    public void stepDoneThenFinish(long jobId, String doneStep, Map<String, String> outputs, JobState state, Optional<String> error) {
        writes.add("done " + doneStep + ", finish " + state);
        super.stepDoneThenFinish(jobId, doneStep, outputs, state, error);
    }
}
