-- One job lock per VM, shared by every kind of job. A pair job (upgrade, failover, rollback)
-- locks both members; a single-VM job locks its VM. jobs_one_live_per_pair only compared
-- jobs.pair, so a single-VM job on kv-1 and a pair job on kv-1's pair could both be live, and
-- nothing stopped `vm stop` from taking a member away in the middle of a job.
-- The locks are taken in the statement that creates the job and dropped in the one that ends it,
-- so no code path can forget either: the primary key below is the rule.

CREATE TABLE job_vm_locks (
    vm     text   NOT NULL,
    job_id bigint NOT NULL,
    CONSTRAINT job_vm_locks_pkey PRIMARY KEY (vm),
    CONSTRAINT job_vm_locks_vm_fkey FOREIGN KEY (vm) REFERENCES vms (name) ON DELETE RESTRICT,
    CONSTRAINT job_vm_locks_job_fkey FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
CREATE INDEX job_vm_locks_job_idx ON job_vm_locks (job_id);

-- The VMs a job touches. jobs.pair names a pair or a VM (V5); a single-VM upgrade (or its
-- rollback) says so with members=1 in its parameters, which decides when a pair and a VM share a name.
CREATE FUNCTION job_vms(job_kind text, target text, parameters jsonb) RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT vm FROM pair_members
     WHERE pair = target AND job_kind <> 'upgrade-vm' AND coalesce(parameters ->> 'members', '2') <> '1'
    UNION
    SELECT name FROM vms
     WHERE name = target
       AND (job_kind = 'upgrade-vm' OR parameters ->> 'members' = '1' OR NOT EXISTS (SELECT 1 FROM pairs WHERE name = target));
$$;

CREATE FUNCTION jobs_lock_vms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IN ('PENDING', 'RUNNING') THEN
        INSERT INTO job_vm_locks (vm, job_id) SELECT v, NEW.id FROM job_vms(NEW.kind, NEW.pair, NEW.parameters) AS v;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER jobs_lock_vms AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_lock_vms();

CREATE FUNCTION jobs_release_vms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_vm_locks WHERE job_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER jobs_release_vms AFTER UPDATE OF state ON jobs
    FOR EACH ROW WHEN (NEW.state NOT IN ('PENDING', 'RUNNING')) EXECUTE FUNCTION jobs_release_vms();

-- Jobs live when this migration runs keep their VMs, oldest first where two claim one.
INSERT INTO job_vm_locks (vm, job_id)
SELECT v, id FROM (SELECT id, kind, pair, parameters FROM jobs WHERE state IN ('PENDING', 'RUNNING') ORDER BY id) live,
     LATERAL job_vms(live.kind, live.pair, live.parameters) AS v
ON CONFLICT (vm) DO NOTHING;
