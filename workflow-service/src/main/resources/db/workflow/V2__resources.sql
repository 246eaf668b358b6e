-- Workspaces and the resources applied to them (seed 003's resource API), each apply kept as a
-- revision.

CREATE TABLE workspace (
    id           UUID        PRIMARY KEY,
    name         TEXT        NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    description  TEXT,
    owner_id     UUID,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    deleted_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX workspace_name ON workspace (name) WHERE deleted_at IS NULL;

-- The workspace every signed-in user may use: it has no owner and cannot be deleted.
INSERT INTO workspace (id, name, description, owner_id, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'public', 'Open to every signed-in user', NULL, now(), now());

CREATE TABLE workspace_member (
    workspace_id  UUID        NOT NULL REFERENCES workspace (id),
    user_id       UUID        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('owner', 'member')),
    added_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_member_user ON workspace_member (user_id);

CREATE TABLE resource (
    id            UUID        PRIMARY KEY,
    workspace_id  UUID        NOT NULL REFERENCES workspace (id),
    type          TEXT        NOT NULL,
    name          TEXT        NOT NULL,
    version       TEXT        NOT NULL,
    revision      INTEGER     NOT NULL,
    description   TEXT,
    tags          TEXT[]      NOT NULL DEFAULT '{}',
    spec          JSONB       NOT NULL,
    status        TEXT        NOT NULL CHECK (status IN ('pending', 'active', 'error')),
    created_by    UUID        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    deleted_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX resource_name ON resource (workspace_id, type, name) WHERE deleted_at IS NULL;
CREATE INDEX resource_listing ON resource (workspace_id, type, name) WHERE deleted_at IS NULL;

-- Every apply of a resource, the first included: the manifest as sent and its parsed spec.
CREATE TABLE resource_revision (
    resource_id  UUID        NOT NULL REFERENCES resource (id),
    revision     INTEGER     NOT NULL,
    version      TEXT        NOT NULL,
    spec         JSONB       NOT NULL,
    manifest     TEXT        NOT NULL,
    created_by   UUID        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (resource_id, revision)
);
