-- Data uploaded into projects: one record per uploaded file, its rows counted once processed.
CREATE TABLE data_record (
    id          TEXT        PRIMARY KEY,
    project_id  TEXT        NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    owner_id    UUID        NOT NULL,
    filename    TEXT        NOT NULL,
    size_bytes  BIGINT      NOT NULL DEFAULT 0,
    rows        BIGINT,
    status      TEXT        NOT NULL CHECK (status IN ('processing', 'processed', 'failed')),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX data_record_project ON data_record (project_id);
