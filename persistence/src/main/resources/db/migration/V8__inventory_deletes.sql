-- Full lifecycle of the inventory: images, volumes and pairs can be deleted too.

-- A pair's finished jobs are its history and stay when the pair is deleted (jobs.pair keeps the
-- name); only a live job keeps the pair, as it still works on it (V5 refused any job).
CREATE OR REPLACE FUNCTION jobs_target_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM jobs WHERE pair = OLD.name AND state IN ('PENDING', 'RUNNING')) THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "jobs_pair_fkey" on table "jobs"', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'jobs_pair_fkey',
                  DETAIL = format('Key (name)=(%s) is still referenced from table "jobs".', OLD.name);
    END IF;
    RETURN OLD;
END;
$$;

-- When a VM was first linked to a volume: from then on the volume may hold data, and deleting it
-- needs --force. Volumes older than this migration may have been linked by a VM deleted since,
-- so they count as linked from their creation.
ALTER TABLE volumes ADD COLUMN first_linked_at timestamptz;
UPDATE volumes SET first_linked_at = created_at;

CREATE FUNCTION volumes_first_linked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE volumes SET first_linked_at = now() WHERE name = NEW.volume AND first_linked_at IS NULL;
    RETURN NULL;
END;
$$;

CREATE TRIGGER vm_links_first_linked AFTER INSERT ON vm_links FOR EACH ROW EXECUTE FUNCTION volumes_first_linked();
