-- Issue 15: the inventory's version in 64 slots instead of one row. With one row every inventory
-- writer held the same row lock from its first inventory statement until its commit, so a fleet's
-- 200 pairs in flight wrote the inventory one transaction at a time (sampled: ~9 of ~12 active
-- sessions waiting on that row). Now a writer bumps the slot of its own connection
-- (pg_backend_pid() % 64): writers on different connections no longer queue on each other, and the
-- version a reader sees is the sum of the slots, read in one statement (one snapshot).
--
-- Still exact for a cache: every slot only grows, so each committed inventory write makes the sum
-- larger and a sum names at most one committed state; the bump commits with the rows, so a reader
-- sees the new sum exactly when it can see the new rows.
--
-- One connection keeps one slot for the whole transaction, so a transaction locks exactly one slot,
-- before its first inventory row (BEFORE ... FOR EACH STATEMENT), and never waits for a second slot.
-- Two writers whose connections share a slot queue as before; writers on different slots may now
-- run at once, so two that lock the same inventory rows in opposite orders could deadlock where
-- they used to queue: no writer does (a pair's and its VMs' writes are serialised by the job
-- locks, V6), and PostgreSQL would end one of them with an error rather than hang.
ALTER TABLE inventory_version DROP CONSTRAINT inventory_version_one_row;
ALTER TABLE inventory_version DROP CONSTRAINT inventory_version_pkey;
ALTER TABLE inventory_version ADD COLUMN slot smallint NOT NULL DEFAULT 0;
ALTER TABLE inventory_version ALTER COLUMN slot DROP DEFAULT;
ALTER TABLE inventory_version DROP COLUMN singleton;
ALTER TABLE inventory_version ADD CONSTRAINT inventory_version_pkey PRIMARY KEY (slot);
ALTER TABLE inventory_version ADD CONSTRAINT inventory_version_slots CHECK (slot BETWEEN 0 AND 63);
-- Slot 0 keeps the version so far; the sum goes on from there.
INSERT INTO inventory_version (slot, version) SELECT s, 0 FROM generate_series(1, 63) AS s;

CREATE OR REPLACE FUNCTION inventory_version_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE public.inventory_version SET version = version + 1 WHERE slot = pg_backend_pid() % 64;
    RETURN NULL;
END;
$$;
