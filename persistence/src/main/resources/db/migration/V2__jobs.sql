-- Jobs (upgrades, failovers, ...) and their step journal.

CREATE TABLE jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    kind         text        NOT NULL,
    pair         text        NOT NULL,
    state        text        NOT NULL DEFAULT 'PENDING',
    requested_by text        NOT NULL,
    parameters   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    owner        text,
    heartbeat    timestamptz,
    error        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    CONSTRAINT jobs_pkey PRIMARY KEY (id),
    CONSTRAINT jobs_kind_not_blank CHECK (btrim(kind) <> ''),
    CONSTRAINT jobs_state_check CHECK (state IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK')),
    CONSTRAINT jobs_parameters_object CHECK (jsonb_typeof(parameters) = 'object'),
    -- a RUNNING job has an owner and a heartbeat; a PENDING one has neither
    CONSTRAINT jobs_running_owned CHECK (state <> 'RUNNING' OR (owner IS NOT NULL AND heartbeat IS NOT NULL)),
    CONSTRAINT jobs_pending_unowned CHECK (state <> 'PENDING' OR owner IS NULL),
    CONSTRAINT jobs_pair_fkey FOREIGN KEY (pair) REFERENCES pairs (name) ON DELETE RESTRICT
);

-- One live job per pair, enforced by the database.
CREATE UNIQUE INDEX jobs_one_live_per_pair ON jobs (pair) WHERE state IN ('PENDING', 'RUNNING');
-- What claim() scans: live jobs, oldest first.
CREATE INDEX jobs_live_idx ON jobs (id, heartbeat) WHERE state IN ('PENDING', 'RUNNING');
CREATE INDEX jobs_pair_idx ON jobs (pair, id DESC);

-- The step journal: the latest record per (job, step). seq orders steps as they were (re)started.
CREATE TABLE job_steps (
    job_id     bigint      NOT NULL,
    step_id    text        NOT NULL,
    seq        bigint      NOT NULL,
    state      text        NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at   timestamptz,
    error      text,
    outputs    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT job_steps_pkey PRIMARY KEY (job_id, step_id),
    CONSTRAINT job_steps_state_check CHECK (state IN ('STARTED', 'DONE', 'FAILED')),
    CONSTRAINT job_steps_ended CHECK ((state = 'STARTED') = (ended_at IS NULL)),
    CONSTRAINT job_steps_error CHECK (state <> 'FAILED' OR error IS NOT NULL),
    CONSTRAINT job_steps_outputs_object CHECK (jsonb_typeof(outputs) = 'object'),
    CONSTRAINT job_steps_job_fkey FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
CREATE SEQUENCE job_steps_seq OWNED BY job_steps.seq;
ALTER TABLE job_steps ALTER COLUMN seq SET DEFAULT nextval('job_steps_seq');
CREATE INDEX job_steps_order_idx ON job_steps (job_id, seq);
