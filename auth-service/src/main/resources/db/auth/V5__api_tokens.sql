-- Long-lived API tokens for scripts and tools. Only a hash of the secret is kept.
CREATE TABLE api_token (
    id            UUID        PRIMARY KEY,
    user_id       UUID        NOT NULL REFERENCES app_user (id),
    name          TEXT        NOT NULL,
    token_hash    BYTEA       NOT NULL UNIQUE,
    scopes        TEXT        NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_token_user ON api_token (user_id, created_at);
