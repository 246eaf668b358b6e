-- Runs of workflow resources, their tasks, and their logs (kept after the run and its processes
-- are gone).

CREATE TABLE workflow_run (
    id             UUID        PRIMARY KEY,
    resource_id    UUID        NOT NULL REFERENCES resource (id),
    revision       INTEGER     NOT NULL,
    trigger        TEXT        NOT NULL CHECK (trigger IN ('apply', 'manual', 'schedule', 'event')),
    status         TEXT        NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    error_message  TEXT,
    log_lines      INTEGER     NOT NULL DEFAULT 0,
    created_by     UUID,
    created_at     TIMESTAMPTZ NOT NULL,
    started_at     TIMESTAMPTZ,
    finished_at    TIMESTAMPTZ,
    heartbeat_at   TIMESTAMPTZ
);
CREATE INDEX workflow_run_resource ON workflow_run (resource_id, created_at DESC);
CREATE INDEX workflow_run_pending ON workflow_run (created_at) WHERE status = 'pending';

CREATE TABLE task_run (
    run_id         UUID        NOT NULL REFERENCES workflow_run (id),
    task           TEXT        NOT NULL,
    position       INTEGER     NOT NULL,
    status         TEXT        NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
    attempts       INTEGER     NOT NULL DEFAULT 0,
    exit_code      INTEGER,
    error_message  TEXT,
    started_at     TIMESTAMPTZ,
    finished_at    TIMESTAMPTZ,
    PRIMARY KEY (run_id, task)
);

CREATE TABLE run_log (
    run_id   UUID        NOT NULL REFERENCES workflow_run (id),
    seq      BIGSERIAL,
    at       TIMESTAMPTZ NOT NULL,
    level    TEXT        NOT NULL,
    task     TEXT,
    message  TEXT        NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX run_log_time ON run_log (run_id, at);
