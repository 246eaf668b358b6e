-- Projects of the analytics surface: named containers with free-form settings.
CREATE TABLE project (
    id           TEXT        PRIMARY KEY,
    owner_id     UUID        NOT NULL,
    name         TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description  TEXT        NOT NULL DEFAULT '',
    settings     JSONB       NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX project_owner_created ON project (owner_id, created_at DESC, id);
