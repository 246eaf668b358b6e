-- Workflows on a cron: when each fires next, runs skipped by the concurrency policy or missed,
-- and runs asked to stop.
ALTER TABLE resource ADD COLUMN next_run_at TIMESTAMPTZ;
CREATE INDEX resource_due ON resource (next_run_at) WHERE next_run_at IS NOT NULL AND deleted_at IS NULL;

ALTER TABLE workflow_run ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE workflow_run DROP CONSTRAINT workflow_run_status_check;
ALTER TABLE workflow_run ADD CONSTRAINT workflow_run_status_check
    CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'));
ALTER TABLE workflow_run DROP CONSTRAINT workflow_run_trigger_check;
ALTER TABLE workflow_run ADD CONSTRAINT workflow_run_trigger_check
    CHECK (trigger IN ('apply', 'manual', 'schedule', 'missed', 'event'));
