-- Inventory: endpoints, images, volumes, VMs with their volume links, and ACT/SBY pairs.
-- Names are the keys the CLI and the engine use, so they are the primary keys here too.
-- Constraint names are explicit: SqlErrors maps them to messages that name the conflict.

CREATE TABLE endpoints (
    name            text        NOT NULL,
    driver_kind     text        NOT NULL,
    uri             text        NOT NULL,
    credential_file text,
    properties      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT endpoints_pkey PRIMARY KEY (name),
    CONSTRAINT endpoints_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT endpoints_driver_kind_not_blank CHECK (btrim(driver_kind) <> ''),
    CONSTRAINT endpoints_properties_object CHECK (jsonb_typeof(properties) = 'object')
);

CREATE TABLE images (
    name             text        NOT NULL,
    endpoint         text        NOT NULL,
    software_version text        NOT NULL,
    driver_ref       text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT images_pkey PRIMARY KEY (name),
    CONSTRAINT images_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT images_endpoint_fkey FOREIGN KEY (endpoint) REFERENCES endpoints (name) ON DELETE RESTRICT
);
CREATE INDEX images_endpoint_idx ON images (endpoint);

CREATE TABLE volumes (
    name       text        NOT NULL,
    endpoint   text        NOT NULL,
    driver_ref text        NOT NULL,
    size_bytes bigint      NOT NULL,
    purpose    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT volumes_pkey PRIMARY KEY (name),
    CONSTRAINT volumes_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT volumes_size_positive CHECK (size_bytes > 0),
    CONSTRAINT volumes_endpoint_fkey FOREIGN KEY (endpoint) REFERENCES endpoints (name) ON DELETE RESTRICT,
    CONSTRAINT volumes_endpoint_driver_ref_key UNIQUE (endpoint, driver_ref)
);

CREATE TABLE vms (
    name       text        NOT NULL,
    endpoint   text        NOT NULL,
    driver_ref text        NOT NULL,
    image      text        NOT NULL,
    properties jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vms_pkey PRIMARY KEY (name),
    CONSTRAINT vms_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT vms_properties_object CHECK (jsonb_typeof(properties) = 'object'),
    CONSTRAINT vms_endpoint_fkey FOREIGN KEY (endpoint) REFERENCES endpoints (name) ON DELETE RESTRICT,
    CONSTRAINT vms_image_fkey FOREIGN KEY (image) REFERENCES images (name) ON DELETE RESTRICT,
    CONSTRAINT vms_endpoint_driver_ref_key UNIQUE (endpoint, driver_ref)
);
CREATE INDEX vms_image_idx ON vms (image);

-- A VM's links to volumes. A volume is linked by at most one VM.
CREATE TABLE vm_links (
    vm         text    NOT NULL,
    volume     text    NOT NULL,
    mount_path text    NOT NULL,
    mode       text    NOT NULL,
    position   integer NOT NULL,
    CONSTRAINT vm_links_pkey PRIMARY KEY (vm, mount_path),
    CONSTRAINT vm_links_volume_key UNIQUE (volume),
    CONSTRAINT vm_links_mode_check CHECK (mode IN ('MOUNT_AT_BOOT', 'COPY_AT_BOOT')),
    CONSTRAINT vm_links_vm_fkey FOREIGN KEY (vm) REFERENCES vms (name) ON DELETE CASCADE,
    CONSTRAINT vm_links_volume_fkey FOREIGN KEY (volume) REFERENCES volumes (name) ON DELETE RESTRICT
);

CREATE TABLE pairs (
    name            text        NOT NULL,
    active_system   smallint    NOT NULL DEFAULT 0,
    standby_kind    text        NOT NULL,
    role_controller jsonb       NOT NULL DEFAULT '{}'::jsonb,
    resync_gate     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pairs_pkey PRIMARY KEY (name),
    CONSTRAINT pairs_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT pairs_active_system_check CHECK (active_system IN (0, 1)),
    CONSTRAINT pairs_standby_kind_check CHECK (standby_kind IN ('HOT', 'COLD')),
    CONSTRAINT pairs_role_controller_object CHECK (jsonb_typeof(role_controller) = 'object'),
    CONSTRAINT pairs_resync_gate_object CHECK (jsonb_typeof(resync_gate) = 'object')
);

-- Which VM is system 0 and system 1 of a pair. UNIQUE (vm): a VM belongs to at most one pair.
CREATE TABLE pair_members (
    pair   text     NOT NULL,
    system smallint NOT NULL,
    vm     text     NOT NULL,
    CONSTRAINT pair_members_pkey PRIMARY KEY (pair, system),
    CONSTRAINT pair_members_system_check CHECK (system IN (0, 1)),
    CONSTRAINT pair_members_vm_key UNIQUE (vm),
    CONSTRAINT pair_members_pair_fkey FOREIGN KEY (pair) REFERENCES pairs (name) ON DELETE CASCADE,
    CONSTRAINT pair_members_vm_fkey FOREIGN KEY (vm) REFERENCES vms (name) ON DELETE RESTRICT
);
