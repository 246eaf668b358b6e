-- Nextflow projects (seed 004): a name, the pipeline they run with its arguments, and counters
-- of a run's processes. Integer ids, as the seed's clients use them.
CREATE TABLE nextflow_project (
    id                   SERIAL      PRIMARY KEY,
    owner_id             UUID        NOT NULL,
    name                 TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 512),
    nextflow_project     TEXT,
    workflow_arguments   JSONB       NOT NULL DEFAULT '{}',
    submitted_processes  INTEGER     NOT NULL DEFAULT 0 CHECK (submitted_processes >= 0),
    completed_processes  INTEGER     NOT NULL DEFAULT 0 CHECK (completed_processes >= 0),
    is_scheduled         BOOLEAN     NOT NULL DEFAULT false,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    deleted_at           TIMESTAMPTZ
);
CREATE INDEX nextflow_project_owner ON nextflow_project (owner_id, id) WHERE deleted_at IS NULL;
