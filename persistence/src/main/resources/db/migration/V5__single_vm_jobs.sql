-- A job works on a pair (S21-S29) or on a single VM (S11-S13): jobs.pair names either.
-- The foreign key to pairs alone refused single-VM upgrade jobs, so it becomes a trigger that
-- accepts a pair or a VM name and refuses anything else with the same SQLSTATE (23503).
ALTER TABLE jobs DROP CONSTRAINT jobs_pair_fkey;

CREATE FUNCTION jobs_target_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pairs WHERE name = NEW.pair) AND NOT EXISTS (SELECT 1 FROM vms WHERE name = NEW.pair) THEN
        RAISE EXCEPTION 'insert or update on table "jobs" violates foreign key constraint "jobs_target_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'jobs_target_fkey',
                  DETAIL = format('Key (pair)=(%s) is not present in table "pairs".', NEW.pair);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER jobs_target_exists BEFORE INSERT OR UPDATE OF pair ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_target_exists();

-- Deleting a pair or a VM that jobs name is refused as the foreign key did.
CREATE FUNCTION jobs_target_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM jobs WHERE pair = OLD.name) THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "jobs_pair_fkey" on table "jobs"', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'jobs_pair_fkey',
                  DETAIL = format('Key (name)=(%s) is still referenced from table "jobs".', OLD.name);
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER pairs_jobs_kept BEFORE DELETE ON pairs FOR EACH ROW EXECUTE FUNCTION jobs_target_kept();
