package dev.duplex.persistence;

import static java.util.Objects.requireNonNull;

import dev.duplex.engine.job.Job;
import dev.duplex.engine.job.JobEntry;
import dev.duplex.engine.job.JobHistory;
import dev.duplex.engine.job.JobQueue;
import dev.duplex.engine.job.JobState;
import dev.duplex.engine.job.StepRecord;
import dev.duplex.engine.job.StepState;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Jobs and their step journal in PostgreSQL.
 *
 * <p>The database keeps one live job per pair (a partial unique index) and one job lock per VM
 * ({@code job_vm_locks}, taken and released by triggers on {@code jobs}), and all times come from
 * the database's clock, so nodes with skewed clocks agree on whose heartbeat is stale. A claim
 * locks the candidate row with {@code SELECT ... FOR UPDATE SKIP LOCKED} inside a transaction,
 * so two processes claiming at once never get the same job.
 */
public final class JdbiJobQueue implements JobQueue, JobHistory {
    private static final String JOB_COLUMNS =
            "id, kind, pair, state, requested_by, parameters::text AS parameters, owner, heartbeat, error";
    private static final String TIME_COLUMNS = "created_at, started_at, finished_at";
    /** A job anyone may claim: PENDING, or RUNNING with a heartbeat older than the stale limit. */
    private static final String CLAIMABLE =
            "(state = 'PENDING' OR (state = 'RUNNING' AND heartbeat < now() - make_interval(secs => :staleSeconds)))";

    /** A step journaled before starts again (a resume): its line is reset and moves to the journal's end. */
    private static final String STARTED_AGAIN = """
            ON CONFLICT (job_id, step_id) DO UPDATE
            SET state = 'STARTED', started_at = now(), ended_at = NULL, error = NULL,
                outputs = '{}'::jsonb, seq = nextval('job_steps_seq')""";
    /** A step's end over its STARTED line, or a line of its own when its start was never journaled (a crash in between). */
    private static final String ENDED_AGAIN = """
            ON CONFLICT (job_id, step_id) DO UPDATE
            SET state = EXCLUDED.state, ended_at = now(), error = EXCLUDED.error, outputs = EXCLUDED.outputs""";

    private final Jdbi jdbi;
    private final SqlErrors errors;
    private final JsonMaps json = new JsonMaps();
    private final GroupCommit<Boundary> boundaries = new GroupCommit<>(this::writeBoundaries);

    /**
     * One step boundary: step {@code done} (null when none) ended with {@code outputs}, step {@code next} starts
     * (null when the job ends instead, or for a kept line).
     */
    private record Boundary(long jobId, String done, String outputs, String next) {}

    @Inject
    public JdbiJobQueue(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.errors = new SqlErrors(jdbi);
    }

    @Override
    public Job create(String kind, String pair, String requestedBy, Map<String, String> parameters) {
        return insert(kind, pair, requestedBy, parameters, Optional.empty());
    }

    @Override
    public Job createClaimed(String kind, String pair, String requestedBy, Map<String, String> parameters, String node) {
        return insert(kind, pair, requestedBy, parameters, Optional.of(requireNonNull(node, "node is null")));
    }

    /** A new job: PENDING, or RUNNING and owned by {@code claimedBy} from the start. */
    private Job insert(String kind, String pair, String requestedBy, Map<String, String> parameters, Optional<String> claimedBy) {
        requireNonNull(kind, "kind is null");
        requireNonNull(pair, "pair is null");
        requireNonNull(requestedBy, "requestedBy is null");
        requireNonNull(parameters, "parameters is null");
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("""
                        INSERT INTO jobs (kind, pair, requested_by, parameters, state, owner, heartbeat, started_at)
                        VALUES (:kind, :pair, :requestedBy, CAST(:parameters AS jsonb), :state, :owner,
                                CASE WHEN :claimed THEN now() END, CASE WHEN :claimed THEN now() END)
                        """ + "RETURNING " + JOB_COLUMNS)
                .bind("kind", kind).bind("pair", pair).bind("requestedBy", requestedBy)
                .bind("parameters", json.write(parameters)).bind("state", claimedBy.isPresent() ? "RUNNING" : "PENDING")
                .bind("owner", claimedBy.orElse(null)).bind("claimed", claimedBy.isPresent())
                .map((rs, ctx) -> job(rs)).one()));
    }

    @Override
    public Optional<Job> job(long id) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> job(rs)).findOne()));
    }

    @Override
    public Optional<Job> liveJob(String pair) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + JOB_COLUMNS + " FROM jobs WHERE pair = :pair AND state IN ('PENDING', 'RUNNING')")
                .bind("pair", pair).map((rs, ctx) -> job(rs)).findOne()));
    }

    @Override
    public Map<String, Job> liveJobs(java.util.Collection<String> pairs) {
        requireNonNull(pairs, "pairs is null");
        Map<String, Job> live = new java.util.HashMap<>();
        errors.call(() -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + JOB_COLUMNS + " FROM jobs WHERE pair = ANY(:pairs) AND state IN ('PENDING', 'RUNNING')")
                .bindArray("pairs", String.class, pairs).map((rs, ctx) -> job(rs)).list()))
                .forEach(job -> live.put(job.pair(), job));
        return live;
    }

    @Override
    public Optional<Job> liveJobOn(String vm) {
        requireNonNull(vm, "vm is null");
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT " + JOB_COLUMNS
                        + " FROM jobs WHERE id = (SELECT job_id FROM job_vm_locks WHERE vm = :vm)")
                .bind("vm", vm).map((rs, ctx) -> job(rs)).findOne()));
    }

    @Override
    public Optional<Job> liveJobTouching(String pair, java.util.Collection<String> vms) {
        requireNonNull(pair, "pair is null");
        requireNonNull(vms, "vms is null");
        // the pair's own live job first, as liveJob then liveJobOn would find it; two indexed looks (an OR of the two
        // conditions would read the whole table)
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("""
                        SELECT %1$s, 0 AS rank FROM jobs WHERE pair = :pair AND state IN ('PENDING', 'RUNNING')
                        UNION ALL
                        SELECT %1$s, 1 AS rank FROM jobs WHERE id IN (SELECT job_id FROM job_vm_locks WHERE vm = ANY(:vms))
                        ORDER BY rank, id
                        LIMIT 1""".formatted(JOB_COLUMNS))
                .bind("pair", pair).bindArray("vms", String.class, vms).map((rs, ctx) -> job(rs)).findOne()));
    }

    @Override
    public List<Job> jobs(String pair) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + JOB_COLUMNS + " FROM jobs WHERE pair = :pair ORDER BY id DESC")
                .bind("pair", pair).map((rs, ctx) -> job(rs)).list()));
    }

    @Override
    public Optional<Job> claim(String node, Duration staleAfter) {
        return claim(OptionalLong.empty(), node, staleAfter);
    }

    @Override
    public Optional<Job> claim(long jobId, String node, Duration staleAfter) {
        return claim(OptionalLong.of(jobId), node, staleAfter);
    }

    private Optional<Job> claim(OptionalLong jobId, String node, Duration staleAfter) {
        requireNonNull(node, "node is null");
        requireNonNull(staleAfter, "staleAfter is null");
        if (staleAfter.isNegative()) {
            throw new IllegalArgumentException("staleAfter is negative: " + staleAfter);
        }
        double staleSeconds = staleAfter.toNanos() / 1e9;
        // one statement, committed on its own: the subquery locks the candidate row (skipping rows another claimer holds)
        // and the UPDATE takes it, one round trip instead of a SELECT, an UPDATE and a COMMIT
        return errors.call(() -> jdbi.withHandle(h -> {
            var query = h.createQuery("UPDATE jobs SET state = 'RUNNING', owner = :node, heartbeat = now(), "
                            + "started_at = coalesce(started_at, now()) WHERE id = (SELECT id FROM jobs WHERE " + CLAIMABLE
                            + (jobId.isPresent() ? " AND id = :id" : "")
                            + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " + JOB_COLUMNS)
                    .bind("staleSeconds", staleSeconds).bind("node", node);
            jobId.ifPresent(id -> query.bind("id", id));
            return query.map((rs, ctx) -> job(rs)).findOne();
        }));
    }

    /**
     * Live jobs of these kinds that no process is running, oldest first: RUNNING with a heartbeat
     * older than {@code staleAfter} (its owner died), PENDING after having run (handed back by a
     * draining node), or PENDING and older than {@code staleAfter} without ever running (its creator
     * died between creating and claiming it). A PENDING job its creator is about to claim is not
     * listed, so a claim loop never takes a job from under the request that created it. Nothing is
     * locked: the caller claims each with {@link #claim(long, String, Duration)}, which may lose.
     */
    public List<Long> abandoned(java.util.Set<String> kinds, Duration staleAfter, int limit) {
        requireNonNull(kinds, "kinds is null");
        requireNonNull(staleAfter, "staleAfter is null");
        if (staleAfter.isNegative() || limit < 0) {
            throw new IllegalArgumentException("staleAfter " + staleAfter + " and limit " + limit + " must not be negative");
        }
        if (kinds.isEmpty()) {
            return List.of();
        }
        double staleSeconds = staleAfter.toNanos() / 1e9;
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("""
                        SELECT id FROM jobs WHERE kind IN (<kinds>) AND (
                            (state = 'RUNNING' AND heartbeat < now() - make_interval(secs => :staleSeconds))
                            OR (state = 'PENDING' AND (started_at IS NOT NULL OR created_at < now() - make_interval(secs => :staleSeconds))))
                        ORDER BY id LIMIT :limit""")
                .bindList("kinds", List.copyOf(kinds)).bind("staleSeconds", staleSeconds).bind("limit", limit)
                .mapTo(Long.class).list()));
    }

    @Override
    public boolean heartbeat(long jobId, String node) {
        requireNonNull(node, "node is null");
        return errors.call(() -> jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET heartbeat = now() FROM " + NO_DISK_WAIT
                        + " WHERE id = :id AND owner = :node AND state = 'RUNNING'")
                .bind("id", jobId).bind("node", node).execute())) == 1;
    }

    /** One UPDATE for all of a node's running jobs, committed as {@link #heartbeat(long, String)} is. */
    @Override
    public java.util.Set<Long> heartbeat(java.util.Collection<Long> jobIds, String node) {
        requireNonNull(jobIds, "jobIds is null");
        requireNonNull(node, "node is null");
        if (jobIds.isEmpty()) {
            return java.util.Set.of();
        }
        Long[] ids = jobIds.toArray(Long[]::new);
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("UPDATE jobs SET heartbeat = now() FROM " + NO_DISK_WAIT
                        + " WHERE id = ANY(:ids) AND owner = :node AND state = 'RUNNING' RETURNING id")
                .bind("ids", ids).bind("node", node).mapTo(Long.class).set()));
    }

    /**
     * A one-row table whose reading makes the statement's own transaction commit without waiting for its WAL flush: for
     * heartbeats and steps' DONE, each a statement that commits on its own (the setting is local to that transaction and
     * is read at its commit; a {@code SET LOCAL} before it would cost a round trip and a transaction block). A heartbeat
     * lost to a database crash (PostgreSQL loses at most the last few hundred ms of such commits, never a later
     * synchronous one's predecessors) leaves the job's heartbeat one beat older, exactly as a beat that failed or came
     * late does, which the stale limit (many beats) already tolerates; a lost DONE leaves its step STARTED, to run again
     * on resume (see {@link #stepDone}). Steps' STARTED, job states and the inventory are never written this way.
     */
    static final String NO_DISK_WAIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS no_disk_wait";

    @Override
    public boolean release(long jobId, String node) {
        requireNonNull(node, "node is null");
        return errors.call(() -> jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE jobs SET state = 'PENDING', owner = NULL, heartbeat = NULL WHERE id = :id AND owner = :node AND state = 'RUNNING'")
                .bind("id", jobId).bind("node", node).execute())) == 1;
    }

    @Override
    public void finish(long jobId, JobState state, Optional<String> error) {
        end(jobId, state, error, Optional.empty());
    }

    @Override
    public void stepDoneThenFinish(long jobId, String doneStep, Map<String, String> outputs, JobState state, Optional<String> error) {
        requireNonNull(doneStep, "doneStep is null");
        end(jobId, state, error, Optional.of(new Boundary(jobId, doneStep, json.write(requireNonNull(outputs, "outputs is null")), null)));
    }

    /** Ends a live job, with its last step's DONE in the same statement when there is one: both or neither. */
    private void end(long jobId, JobState state, Optional<String> error, Optional<Boundary> lastDone) {
        requireNonNull(state, "state is null");
        requireNonNull(error, "error is null");
        if (state.live()) {
            throw new IllegalArgumentException("a job finishes in SUCCEEDED, FAILED or ROLLED_BACK, not " + state);
        }
        String end = """
                UPDATE jobs SET state = :state, error = :error, owner = NULL, finished_at = now()
                WHERE id = :id AND state IN ('PENDING', 'RUNNING')""";
        int updated = errors.call(() -> jdbi.withHandle(h -> lastDone.isEmpty()
                ? h.createUpdate(end).bind("state", state.name()).bind("error", error.orElse(null)).bind("id", jobId).execute()
                // the DONE is selected from the ended row: a job that had ended already gets neither
                : h.createQuery("WITH ended AS (" + end + " RETURNING id) " + """
                        INSERT INTO job_steps (job_id, step_id, state, started_at, ended_at, error, outputs)
                        SELECT id, :step, 'DONE', now(), now(), NULL, CAST(:outputs AS jsonb) FROM ended
                        """ + ENDED_AGAIN + " RETURNING job_id")
                        .bind("state", state.name()).bind("error", error.orElse(null)).bind("id", jobId)
                        .bind("step", lastDone.get().done()).bind("outputs", lastDone.get().outputs())
                        .mapTo(Long.class).list().size()));
        if (updated == 0) {
            throw new IllegalStateException("job #" + jobId + (job(jobId).isPresent() ? " has already ended" : " does not exist"));
        }
    }

    @Override
    public void stepStarted(long jobId, String stepId) {
        requireNonNull(stepId, "stepId is null");
        boundaries.write(new Boundary(jobId, null, null, stepId));
    }

    private static void started(Handle h, long jobId, String stepId) {
        h.createUpdate("""
                        INSERT INTO job_steps (job_id, step_id, state, started_at)
                        VALUES (:job, :step, 'STARTED', now())
                        """ + STARTED_AGAIN)
                .bind("job", jobId).bind("step", stepId).execute();
    }

    @Override
    public void stepDone(long jobId, String stepId, Map<String, String> outputs) {
        requireNonNull(stepId, "stepId is null");
        requireNonNull(outputs, "outputs is null");
        String written = json.write(outputs);
        // Not waiting for the disk: the next step's STARTED (or the job's end) is a synchronous commit,
        // which flushes the WAL up to itself, this DONE included, before the next step touches anything.
        // Only a database crash in between can lose it, and then the step is STARTED in the journal and
        // runs again on resume, as after an orchestrator killed just before writing its DONE. One disk
        // wait per step instead of two.
        errors.run(() -> jdbi.useHandle(h -> ended(h, jobId, stepId, StepState.DONE, null, written, " FROM " + NO_DISK_WAIT)));
    }

    @Override
    public void stepDoneThenStarted(long jobId, String doneStep, Map<String, String> outputs, String nextStep) {
        requireNonNull(doneStep, "doneStep is null");
        requireNonNull(nextStep, "nextStep is null");
        String written = json.write(requireNonNull(outputs, "outputs is null"));
        if (doneStep.equals(nextStep)) { // one statement cannot write a row twice
            errors.run(() -> jdbi.useTransaction(h -> {
                ended(h, jobId, doneStep, StepState.DONE, null, written, "");
                started(h, jobId, nextStep);
            }));
            return;
        }
        // The next step's STARTED must be on disk before it runs, and the DONE goes with it (both or neither),
        // in one statement and one synchronous commit shared with the other jobs' boundaries of the moment.
        boundaries.write(new Boundary(jobId, doneStep, written, nextStep));
    }

    /**
     * Writes boundaries of distinct jobs in one statement: the DONE lines that end steps (and kept lines), then the STARTED
     * lines.
     */
    private void writeBoundaries(List<Boundary> group) {
        List<Long> jobIds = group.stream().map(Boundary::jobId).toList();
        List<String> done = group.stream().map(Boundary::done).toList();
        List<String> outputs = group.stream().map(Boundary::outputs).toList();
        List<String> next = group.stream().map(Boundary::next).toList();
        errors.run(() -> jdbi.useHandle(h -> h.createUpdate("""
                        WITH boundary AS (
                            SELECT * FROM unnest(CAST(:jobs AS bigint[]), CAST(:done AS text[]), CAST(:outputs AS text[]),
                                                 CAST(:next AS text[])) AS b(job, done, outputs, next)),
                        done AS (
                            INSERT INTO job_steps (job_id, step_id, state, started_at, ended_at, error, outputs)
                            SELECT job, done, 'DONE', now(), now(), NULL, CAST(outputs AS jsonb) FROM boundary WHERE done IS NOT NULL
                            %s)
                        INSERT INTO job_steps (job_id, step_id, state, started_at)
                        SELECT job, next, 'STARTED', now() FROM boundary WHERE next IS NOT NULL
                        """.formatted(ENDED_AGAIN) + STARTED_AGAIN)
                .bindArray("jobs", Long.class, jobIds).bindArray("done", String.class, done)
                .bindArray("outputs", String.class, outputs).bindArray("next", String.class, next).execute()));
    }

    @Override
    public void keptLine(long jobId, String lineId, Map<String, String> outputs) {
        requireNonNull(lineId, "lineId is null");
        // A DONE with no next step, so written as a boundary is: in the synchronous commit of the moment's boundaries,
        // not waiting for a next STARTED as a step's DONE may (the caller deletes where it read it from next).
        boundaries.write(new Boundary(jobId, lineId, json.write(requireNonNull(outputs, "outputs is null")), null));
    }

    @Override
    public void stepFailed(long jobId, String stepId, String error) {
        requireNonNull(error, "error is null");
        endStep(jobId, stepId, StepState.FAILED, error, "{}");
    }

    private void endStep(long jobId, String stepId, StepState state, String error, String outputs) {
        requireNonNull(stepId, "stepId is null");
        errors.run(() -> jdbi.useHandle(h -> ended(h, jobId, stepId, state, error, outputs, "")));
    }

    /** Writes a step's end; {@code from} is empty or a FROM clause the row is selected over ({@link #NO_DISK_WAIT}). */
    private static void ended(Handle h, long jobId, String stepId, StepState state, String error, String outputs, String from) {
        h.createUpdate("""
                        INSERT INTO job_steps (job_id, step_id, state, started_at, ended_at, error, outputs)
                        SELECT :job, :step, :state, now(), now(), CAST(:error AS text), CAST(:outputs AS jsonb)%s
                        """.formatted(from) + ENDED_AGAIN)
                .bind("job", jobId).bind("step", stepId).bind("state", state.name())
                .bind("error", error).bind("outputs", outputs).execute();
    }

    @Override
    public List<StepRecord> journal(long jobId) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("""
                        SELECT job_id, step_id, state, started_at, ended_at, error, outputs::text AS outputs
                        FROM job_steps WHERE job_id = :job ORDER BY seq""")
                .bind("job", jobId)
                .map((rs, ctx) -> new StepRecord(rs.getLong("job_id"), rs.getString("step_id"),
                        StepState.valueOf(rs.getString("state")), instant(rs, "started_at").orElseThrow(),
                        instant(rs, "ended_at"), Optional.ofNullable(rs.getString("error")),
                        json.read(rs.getString("outputs"))))
                .list()));
    }

    @Override
    public List<JobEntry> recent(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit is negative: " + limit);
        }
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT " + JOB_COLUMNS + ", " + TIME_COLUMNS
                        + " FROM jobs ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> entry(rs)).list()));
    }

    @Override
    public Optional<JobEntry> entry(long id) {
        return errors.call(() -> jdbi.withHandle(h -> h.createQuery("SELECT " + JOB_COLUMNS + ", " + TIME_COLUMNS
                        + " FROM jobs WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> entry(rs)).findOne()));
    }

    private JobEntry entry(ResultSet rs) throws SQLException {
        return new JobEntry(job(rs), instant(rs, "created_at").orElseThrow(), instant(rs, "started_at"), instant(rs, "finished_at"));
    }

    private Job job(ResultSet rs) throws SQLException {
        return new Job(rs.getLong("id"), rs.getString("kind"), rs.getString("pair"), JobState.valueOf(rs.getString("state")),
                rs.getString("requested_by"), json.read(rs.getString("parameters")), Optional.ofNullable(rs.getString("owner")),
                instant(rs, "heartbeat"), Optional.ofNullable(rs.getString("error")));
    }

    static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }
}
