-- Issue 15: pairs get labels (a fleet upgrade selects pairs by them), and a fleet upgrade is a job.

-- The same rule as the engine's Labels: narrow, so that a label never needs quoting in a shell, a
-- selector (',' and '=' separate its parts) or a table. The database holds it too, for a writer
-- that is not the engine.
CREATE TABLE pair_labels (
    pair  text NOT NULL,
    key   text NOT NULL,
    value text NOT NULL,
    CONSTRAINT pair_labels_pkey PRIMARY KEY (pair, key),
    CONSTRAINT pair_labels_key_format CHECK (key ~ '^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$'),
    CONSTRAINT pair_labels_value_format CHECK (value ~ '^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$'),
    -- a pair's labels are part of it: they go when it does
    CONSTRAINT pair_labels_pair_fkey FOREIGN KEY (pair) REFERENCES pairs (name) ON DELETE CASCADE
);
CREATE INDEX pair_labels_key_value_idx ON pair_labels (key, value);

-- A fleet upgrade is one job of kind 'upgrade-fleet' (its plan in its parameters, one journal line
-- per pair naming the pair's own upgrade job), so it is claimed, heartbeated and resumed like any
-- job. It works on no pair or VM of its own: its target is 'fleet:' and its image, which no
-- inventory name can be (':' is not allowed in one), so it takes no VM lock (job_vms finds none)
-- and two fleets to one image cannot both be live.
CREATE OR REPLACE FUNCTION jobs_target_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'upgrade-fleet' AND NEW.pair LIKE 'fleet:%' THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pairs WHERE name = NEW.pair) AND NOT EXISTS (SELECT 1 FROM vms WHERE name = NEW.pair) THEN
        RAISE EXCEPTION 'insert or update on table "jobs" violates foreign key constraint "jobs_target_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'jobs_target_fkey',
                  DETAIL = format('Key (pair)=(%s) is not present in table "pairs".', NEW.pair);
    END IF;
    RETURN NEW;
END;
$$;
