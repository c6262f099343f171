-- Issue 15: one bump of the inventory version per transaction, not per statement. The version only
-- has to differ once a transaction's rows are committed, and each UPDATE of the same slot row
-- within one open transaction leaves a row version that cannot be pruned before the commit and that
-- the next UPDATE has to walk past: a transaction of n inventory statements cost O(n^2) (the
-- simulation's 10,000-pair inventory, batched in one transaction: 182 s, against 2.7 s for 1,000).
--
-- The transaction id that bumped is kept in a session setting, set with is_local = false on purpose:
-- a SET LOCAL made inside a function with a SET clause is undone when the function returns. A
-- session setting is still transactional: an aborted transaction or savepoint takes it back with
-- the bump it stood for, and the next transaction has another id, so it bumps again. A session that
-- sets the setting itself can only skip its own bumps (the server's list cache would then answer
-- from an older version): that needs the database credentials, which write the inventory anyway.
CREATE OR REPLACE FUNCTION inventory_version_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    tx text := txid_current()::text;
BEGIN
    IF current_setting('duplex.inventory_bumped_by', true) IS DISTINCT FROM tx THEN
        UPDATE public.inventory_version SET version = version + 1 WHERE slot = pg_backend_pid() % 64;
        PERFORM set_config('duplex.inventory_bumped_by', tx, false);
    END IF;
    RETURN NULL;
END;
$$;
