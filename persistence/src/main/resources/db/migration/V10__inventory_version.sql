-- Issue 11: a server answers GET /api/v1/pairs (and the other inventory lists) from a rendering it
-- keeps until the inventory changes. The inventory's version is one counter that every write to the
-- listed tables bumps in the writing transaction itself, so a reader on any node (or the CLI) sees
-- the new version exactly when it can see the new rows: never a new version with old rows.
-- BEFORE ... FOR EACH STATEMENT: the counter's row lock is taken before the statement locks any
-- inventory row, in the same order in every writer, so inventory writers queue on it rather than deadlock.
-- pair_labels is left out on purpose: no cached list shows labels, and its writer locks the pair
-- row first (SELECT ... FOR UPDATE), which would be the opposite order.
CREATE TABLE inventory_version (
    singleton boolean NOT NULL DEFAULT true,
    version   bigint  NOT NULL,
    CONSTRAINT inventory_version_pkey PRIMARY KEY (singleton),
    CONSTRAINT inventory_version_one_row CHECK (singleton)
);
INSERT INTO inventory_version (singleton, version) VALUES (true, 1);

-- SECURITY DEFINER: the application role may only read the counter (ApplicationRole), so nothing but
-- these triggers moves it, and it never goes back to a version a server keeps a list under.
CREATE FUNCTION inventory_version_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE inventory_version SET version = version + 1 WHERE singleton;
    RETURN NULL;
END;
$$;

CREATE TRIGGER endpoints_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_version_bump();
CREATE TRIGGER images_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON images
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_version_bump();
CREATE TRIGGER volumes_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON volumes
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_version_bump();
CREATE TRIGGER vms_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON vms
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_version_bump();
CREATE TRIGGER vm_links_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON vm_links
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_version_bump();
CREATE TRIGGER pairs_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON pairs
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_version_bump();
CREATE TRIGGER pair_members_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON pair_members
    FOR EACH STATEMENT EXECUTE FUNCTION inventory_version_bump();
