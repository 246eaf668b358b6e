-- Requests the gateway served, per user and hour, from its usage events.
CREATE TABLE api_usage (
    user_id    UUID        NOT NULL,
    hour       TIMESTAMPTZ NOT NULL,
    api_calls  BIGINT      NOT NULL,
    PRIMARY KEY (user_id, hour)
);
CREATE INDEX project_owner_created_at ON project (owner_id, created_at);
CREATE INDEX data_record_owner_created ON data_record (owner_id, created_at);
