-- harvest-service: where files are harvested from (instruments, with the accounts they are read
-- with), where they go (storage locations), when (schedules), what came of it (runs, file
-- records with their versions and ARK identifiers, transfers) and who may see it (grants).
-- Administered rows are deleted softly: deleted_at is set and the row kept for the records
-- that point at it.

CREATE TABLE storage_location (
    id                 UUID        PRIMARY KEY,
    name               TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    type               TEXT        NOT NULL CHECK (type IN ('posix', 's3')),
    base_path          TEXT        NOT NULL DEFAULT '',
    enabled            BOOLEAN     NOT NULL DEFAULT true,
    -- s3: bucket, region, endpoint_url, access_key_id; never the secret
    connection_config  JSONB       NOT NULL DEFAULT '{}',
    -- s3's secret_access_key, sealed (AES-GCM)
    secret_sealed      TEXT,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    deleted_at         TIMESTAMPTZ
);
CREATE UNIQUE INDEX storage_location_name ON storage_location (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE service_account (
    id                  UUID        PRIMARY KEY,
    name                TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    domain              TEXT,
    username            TEXT        NOT NULL,
    password_sealed     TEXT,
    private_key_sealed  TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    deleted_at          TIMESTAMPTZ
);
CREATE UNIQUE INDEX service_account_name ON service_account (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE instrument (
    id                           UUID        PRIMARY KEY,
    name                         TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description                  TEXT,
    location                     TEXT,
    pid                          TEXT,
    source_type                  TEXT        NOT NULL CHECK (source_type IN ('local', 'sftp', 'smb')),
    -- local: the directory; sftp: the remote directory
    source_path                  TEXT,
    sftp_host                    TEXT,
    sftp_port                    INTEGER,
    sftp_host_key_fingerprint    TEXT,
    cifs_host                    TEXT,
    cifs_share                   TEXT,
    cifs_base_path               TEXT,
    service_account_id           UUID        REFERENCES service_account (id),
    default_storage_location_id  UUID        REFERENCES storage_location (id),
    -- the catalogue dataset its harvested files are registered in, if any
    dataset_id                   UUID,
    transfer_adapter             TEXT        NOT NULL DEFAULT 'builtin',
    transfer_config              JSONB       NOT NULL DEFAULT '{}',
    enabled                      BOOLEAN     NOT NULL DEFAULT true,
    last_harvested_at            TIMESTAMPTZ,
    created_at                   TIMESTAMPTZ NOT NULL,
    updated_at                   TIMESTAMPTZ NOT NULL,
    deleted_at                   TIMESTAMPTZ
);
CREATE UNIQUE INDEX instrument_name ON instrument (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE harvest_schedule (
    id                           UUID        PRIMARY KEY,
    instrument_id                UUID        NOT NULL REFERENCES instrument (id),
    default_storage_location_id  UUID        REFERENCES storage_location (id),
    cron_expression              TEXT        NOT NULL,
    timezone                     TEXT        NOT NULL DEFAULT 'UTC',
    enabled                      BOOLEAN     NOT NULL DEFAULT true,
    -- the next tick not yet claimed by a replica
    next_run_at                  TIMESTAMPTZ,
    last_run_at                  TIMESTAMPTZ,
    created_at                   TIMESTAMPTZ NOT NULL,
    updated_at                   TIMESTAMPTZ NOT NULL,
    deleted_at                   TIMESTAMPTZ
);
CREATE INDEX harvest_schedule_due ON harvest_schedule (next_run_at) WHERE deleted_at IS NULL AND enabled;

CREATE TABLE harvest_run (
    id                   UUID        PRIMARY KEY,
    instrument_id        UUID        NOT NULL REFERENCES instrument (id),
    schedule_id          UUID        REFERENCES harvest_schedule (id),
    storage_location_id  UUID        REFERENCES storage_location (id),
    trigger              TEXT        NOT NULL CHECK (trigger IN ('schedule', 'manual', 'missed')),
    status               TEXT        NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'skipped')),
    idempotency_key      TEXT,
    requested_by         UUID,
    files_discovered     INTEGER     NOT NULL DEFAULT 0,
    files_transferred    INTEGER     NOT NULL DEFAULT 0,
    files_skipped        INTEGER     NOT NULL DEFAULT 0,
    files_failed         INTEGER     NOT NULL DEFAULT 0,
    files_held           INTEGER     NOT NULL DEFAULT 0,
    bytes_transferred    BIGINT      NOT NULL DEFAULT 0,
    error_message        TEXT,
    created_at           TIMESTAMPTZ NOT NULL,
    started_at           TIMESTAMPTZ,
    completed_at         TIMESTAMPTZ
);
CREATE INDEX harvest_run_instrument ON harvest_run (instrument_id, created_at DESC);
CREATE UNIQUE INDEX harvest_run_idempotency ON harvest_run (requested_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- At most one run of an instrument at a time.
CREATE UNIQUE INDEX harvest_run_one_running ON harvest_run (instrument_id) WHERE status = 'running';

CREATE TABLE file_record (
    id                   UUID        PRIMARY KEY,
    persistent_id        TEXT        UNIQUE,
    persistent_id_type   TEXT,
    instrument_id        UUID        NOT NULL REFERENCES instrument (id),
    source_path          TEXT        NOT NULL,
    filename             TEXT        NOT NULL,
    version              INTEGER     NOT NULL,
    size_bytes           BIGINT      NOT NULL,
    source_mtime         TIMESTAMPTZ NOT NULL,
    xxhash               TEXT,
    sha256               TEXT,
    first_discovered_at  TIMESTAMPTZ NOT NULL,
    metadata_            JSONB       NOT NULL DEFAULT '{}',
    -- pending: not yet verified in storage; stored: verified; held: kept back, tried next run
    state                TEXT        NOT NULL CHECK (state IN ('pending', 'stored', 'failed', 'skipped')),
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    deleted_at           TIMESTAMPTZ,
    UNIQUE (instrument_id, source_path, version)
);
CREATE INDEX file_record_discovered ON file_record (first_discovered_at);

CREATE TABLE file_transfer (
    id                   UUID        PRIMARY KEY,
    file_id              UUID        NOT NULL REFERENCES file_record (id),
    run_id               UUID        REFERENCES harvest_run (id),
    storage_location_id  UUID        REFERENCES storage_location (id),
    destination_path     TEXT,
    transfer_adapter     TEXT        NOT NULL DEFAULT 'builtin',
    bytes_transferred    BIGINT      NOT NULL DEFAULT 0,
    source_checksum      TEXT,
    dest_checksum        TEXT,
    checksum_verified    BOOLEAN     NOT NULL DEFAULT false,
    status               TEXT        NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'skipped')),
    attempts             INTEGER     NOT NULL DEFAULT 0,
    started_at           TIMESTAMPTZ,
    completed_at         TIMESTAMPTZ,
    error_message        TEXT,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX file_transfer_file ON file_transfer (file_id, created_at);

CREATE TABLE instrument_access (
    instrument_id  UUID        NOT NULL REFERENCES instrument (id),
    grantee_type   TEXT        NOT NULL CHECK (grantee_type IN ('user', 'team')),
    grantee_id     UUID        NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (instrument_id, grantee_type, grantee_id)
);

-- The replica carrying out a run writes heartbeat_at every few seconds; a running run whose
-- heartbeat stopped (its replica was killed) is queued again and finished by another.
ALTER TABLE harvest_run ADD COLUMN heartbeat_at TIMESTAMPTZ;
