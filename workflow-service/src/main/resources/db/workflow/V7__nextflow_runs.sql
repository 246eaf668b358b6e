-- Runs of Nextflow projects (seed 004): a workflow run that belongs to a project instead of a
-- resource, carrying its own spec; what Nextflow reported about it through its weblog.
ALTER TABLE workflow_run ALTER COLUMN resource_id DROP NOT NULL;
ALTER TABLE workflow_run ALTER COLUMN revision DROP NOT NULL;
ALTER TABLE workflow_run ADD COLUMN project_id INTEGER REFERENCES nextflow_project (id);
ALTER TABLE workflow_run ADD COLUMN spec JSONB;
ALTER TABLE workflow_run ADD CONSTRAINT workflow_run_subject CHECK ((resource_id IS NULL) <> (project_id IS NULL));
CREATE INDEX workflow_run_project ON workflow_run (project_id, created_at DESC) WHERE project_id IS NOT NULL;

-- The run a scheduled project is carrying out.
ALTER TABLE nextflow_project ADD COLUMN current_run UUID;

CREATE TABLE nextflow_run (
    run_id               UUID        PRIMARY KEY REFERENCES workflow_run (id),
    project_id           INTEGER     NOT NULL REFERENCES nextflow_project (id),
    -- SHA-256 of the weblog secret, set when the run starts; only the launched Nextflow knows it.
    secret_sha256        BYTEA,
    nextflow_run_id      TEXT,
    run_name             TEXT,
    submitted_processes  INTEGER     NOT NULL DEFAULT 0 CHECK (submitted_processes >= 0),
    completed_processes  INTEGER     NOT NULL DEFAULT 0 CHECK (completed_processes >= 0),
    success              BOOLEAN,
    exit_status          INTEGER,
    error_message        TEXT,
    error_report         TEXT,
    last_event           TEXT,
    last_event_at        TIMESTAMPTZ
);
CREATE INDEX nextflow_run_project ON nextflow_run (project_id);

-- Each (task, event) counted once, however often a proxy delivers it; run-level events use task 0.
CREATE TABLE nextflow_weblog_event (
    run_id   UUID    NOT NULL REFERENCES workflow_run (id),
    task_id  BIGINT  NOT NULL,
    event    TEXT    NOT NULL,
    PRIMARY KEY (run_id, task_id, event)
);

-- A run's Nextflow tasks as their trace records last described them.
CREATE TABLE nextflow_task (
    run_id        UUID        NOT NULL REFERENCES workflow_run (id),
    task_id       BIGINT      NOT NULL,
    hash          TEXT,
    name          TEXT,
    process       TEXT,
    status        TEXT        NOT NULL,
    exit_code     INTEGER,
    attempt       INTEGER,
    error_action  TEXT,
    submitted_at  TIMESTAMPTZ,
    started_at    TIMESTAMPTZ,
    completed_at  TIMESTAMPTZ,
    duration_ms   BIGINT,
    realtime_ms   BIGINT,
    trace         JSONB       NOT NULL,
    PRIMARY KEY (run_id, task_id)
);
