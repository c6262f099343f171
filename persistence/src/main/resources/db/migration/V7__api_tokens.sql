-- The server's bearer tokens. Only a salted SHA-256 of each token's secret is kept: the secret is
-- shown once, when the token is created. key_id is the token's public part, by which a request's
-- token is found. A revoked token keeps its row (who had it, who revoked it, when); its name may
-- then be given to a new token, so only live tokens must have distinct names.

CREATE TABLE api_tokens (
    id          bigserial   NOT NULL,
    name        text        NOT NULL,
    role        text        NOT NULL,
    key_id      text        NOT NULL,
    salt        bytea       NOT NULL,
    secret_hash bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text,
    CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_key_id_key UNIQUE (key_id),
    CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'operator', 'admin')),
    CONSTRAINT api_tokens_name_check CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
    CONSTRAINT api_tokens_key_id_check CHECK (key_id ~ '^[0-9a-f]{16}$'),
    CONSTRAINT api_tokens_hash_check CHECK (octet_length(salt) >= 16 AND octet_length(secret_hash) = 32),
    CONSTRAINT api_tokens_revoked_check CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
