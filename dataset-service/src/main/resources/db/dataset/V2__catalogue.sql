-- The catalogue: each user's folder tree, teams, datasets and the shares that open a dataset
-- to a team.

CREATE TABLE folder (
    id          UUID        PRIMARY KEY,
    owner_id    UUID        NOT NULL,
    parent_id   UUID        REFERENCES folder (id),
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
-- Sibling names are unique per owner; the root level has no parent.
CREATE UNIQUE INDEX folder_sibling_name ON folder (owner_id, COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

CREATE TABLE team (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_by  UUID        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE team_member (
    team_id   UUID        NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    user_id   UUID        NOT NULL,
    role      TEXT        NOT NULL CHECK (role IN ('owner', 'member')),
    added_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_member_user ON team_member (user_id);

CREATE TABLE dataset (
    id           UUID        PRIMARY KEY,
    owner_id     UUID        NOT NULL,
    name         TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description  TEXT        NOT NULL DEFAULT '',
    tags         TEXT[]      NOT NULL DEFAULT '{}',
    folder_id    UUID        REFERENCES folder (id),
    status       TEXT        NOT NULL DEFAULT 'uploading'
                             CHECK (status IN ('uploading', 'conversion_queued', 'converting', 'done', 'conversion_failed')),
    metadata     JSONB       NOT NULL DEFAULT '{}',
    size_bytes   BIGINT      NOT NULL DEFAULT 0,
    file_count   INTEGER     NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    deleted_at   TIMESTAMPTZ
);
CREATE INDEX dataset_owner_created ON dataset (owner_id, created_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX dataset_folder ON dataset (folder_id) WHERE deleted_at IS NULL;
CREATE INDEX dataset_tags ON dataset USING gin (tags) WHERE deleted_at IS NULL;

CREATE TABLE dataset_share (
    dataset_id  UUID        NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    team_id     UUID        NOT NULL REFERENCES team (id) ON DELETE CASCADE,
    level       TEXT        NOT NULL CHECK (level IN ('read', 'write')),
    shared_by   UUID        NOT NULL,
    shared_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (dataset_id, team_id)
);
CREATE INDEX dataset_share_team ON dataset_share (team_id);
