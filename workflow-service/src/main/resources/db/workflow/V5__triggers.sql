-- Runs started by events (once per event), what they act for, and the outputs they stored.
ALTER TABLE resource_revision ADD COLUMN applied_as_admin BOOLEAN NOT NULL DEFAULT false;

-- The event a workflow starts on, copied from its spec for the lookup per event.
ALTER TABLE resource ADD COLUMN trigger_event TEXT;
CREATE INDEX resource_trigger ON resource (trigger_event) WHERE trigger_event IS NOT NULL AND deleted_at IS NULL;

ALTER TABLE workflow_run ADD COLUMN by_admin BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE workflow_run ADD COLUMN event_id TEXT;
ALTER TABLE workflow_run ADD COLUMN event_type TEXT;
ALTER TABLE workflow_run ADD COLUMN event_data JSONB;
ALTER TABLE workflow_run ADD COLUMN outputs JSONB;
CREATE UNIQUE INDEX workflow_run_event ON workflow_run (resource_id, event_id) WHERE event_id IS NOT NULL;
