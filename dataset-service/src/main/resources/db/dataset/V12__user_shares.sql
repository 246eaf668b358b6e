-- A dataset shared with one person rather than a team (the portal names them by email).
CREATE TABLE dataset_user_share (
    dataset_id  UUID        NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    user_id     UUID        NOT NULL,
    level       TEXT        NOT NULL CHECK (level IN ('read', 'write')),
    shared_by   UUID        NOT NULL,
    shared_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (dataset_id, user_id)
);
CREATE INDEX dataset_user_share_user ON dataset_user_share (user_id);
