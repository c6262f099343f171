-- What environment sync keeps: revisions of a target's environment info, diffs between them,
-- and calibrated cost models.

CREATE TABLE env_revisions (
    target      text        NOT NULL,
    revision    bigint      NOT NULL,
    received_at timestamptz NOT NULL,
    CONSTRAINT env_revisions_pkey PRIMARY KEY (target, revision),
    CONSTRAINT env_revisions_revision_check CHECK (revision >= 0)
);

CREATE TABLE env_revision_items (
    target    text    NOT NULL,
    revision  bigint  NOT NULL,
    position  integer NOT NULL,
    item_name text    NOT NULL,
    bytes     bytea   NOT NULL,
    checksum  text    NOT NULL, -- SHA-256 of bytes, hex
    CONSTRAINT env_revision_items_pkey PRIMARY KEY (target, revision, item_name),
    CONSTRAINT env_revision_items_position_key UNIQUE (target, revision, position),
    CONSTRAINT env_revision_items_checksum_check CHECK (checksum ~ '^[0-9a-f]{64}$'),
    CONSTRAINT env_revision_items_revision_fkey FOREIGN KEY (target, revision)
        REFERENCES env_revisions (target, revision) ON DELETE CASCADE
);

CREATE TABLE env_diffs (
    target          text        NOT NULL,
    base_revision   bigint      NOT NULL,
    target_revision bigint      NOT NULL,
    encoded         bytea       NOT NULL,
    size            integer     NOT NULL,
    entry_count     integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT env_diffs_pkey PRIMARY KEY (target, base_revision, target_revision),
    CONSTRAINT env_diffs_revisions_check CHECK (base_revision >= 0 AND target_revision > base_revision),
    CONSTRAINT env_diffs_size_check CHECK (size = octet_length(encoded)),
    CONSTRAINT env_diffs_entry_count_check CHECK (entry_count >= 0)
);

-- Every calibration is kept; the newest per target is the one in use.
CREATE TABLE calibrations (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    target       text        NOT NULL,
    coefficients jsonb       NOT NULL,
    measured_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calibrations_pkey PRIMARY KEY (id),
    CONSTRAINT calibrations_coefficients_object CHECK (jsonb_typeof(coefficients) = 'object')
);
CREATE INDEX calibrations_target_idx ON calibrations (target, id DESC);
