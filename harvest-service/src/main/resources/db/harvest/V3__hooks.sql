-- Hooks: what runs before a file is transferred (and may keep it back or send it elsewhere)
-- and after (adding metadata, granting access), per instrument or for all, lowest priority
-- first. And the grants hooks give on single files.

CREATE TABLE hook_config (
    id              UUID        PRIMARY KEY,
    name            TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description     TEXT,
    trigger         TEXT        NOT NULL CHECK (trigger IN ('pre_transfer', 'post_transfer')),
    implementation  TEXT        NOT NULL CHECK (implementation IN ('builtin', 'http_webhook', 'command')),
    builtin_name    TEXT,
    webhook_url     TEXT,
    command         TEXT,
    config          JSONB       NOT NULL DEFAULT '{}',
    instrument_id   UUID        REFERENCES instrument (id),
    priority        INTEGER     NOT NULL DEFAULT 100,
    enabled         BOOLEAN     NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    deleted_at      TIMESTAMPTZ
);
CREATE INDEX hook_config_instrument ON hook_config (instrument_id, priority) WHERE deleted_at IS NULL;

CREATE TABLE file_access (
    file_id       UUID        NOT NULL REFERENCES file_record (id),
    grantee_type  TEXT        NOT NULL CHECK (grantee_type IN ('user', 'team')),
    grantee_id    UUID        NOT NULL,
    hook_id       UUID,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (file_id, grantee_type, grantee_id)
);

-- Where a file's copy goes, when a hook redirected it (relative to the instrument's folder).
ALTER TABLE file_record ADD COLUMN destination_prefix TEXT;
