-- An upload job: one file on its way in (single request, chunks, or tus), then its conversion.
CREATE TABLE upload (
    id              uuid PRIMARY KEY,
    owner_id        uuid        NOT NULL,
    protocol        text        NOT NULL CHECK (protocol IN ('single', 'chunked', 'tus')),
    -- uploading → conversion_queued → converting → done | conversion_failed; or failed,
    -- cancelled, expired. "uploaded" is a finished tus partial upload waiting to be joined.
    status          text        NOT NULL,
    filename        text        NOT NULL,
    content_type    text,
    format          text,
    dataset_id      uuid,
    project_id      text,
    data_id         text,
    -- the declared total size; null while a tus upload defers its length
    size_bytes      bigint,
    bytes_received  bigint      NOT NULL DEFAULT 0,
    chunk_size      integer,
    total_chunks    integer,
    expected_sha256 text,
    xxhash64        text,
    sha256          text,
    blob_key        text,
    error           text,
    tus_metadata    text,
    tus_concat      text CHECK (tus_concat IN ('partial', 'final')),
    tus_parts       uuid[],
    metadata        jsonb,
    attempts        integer     NOT NULL DEFAULT 0,
    lease_owner     text,
    lease_until     timestamptz,
    next_attempt_at timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    expires_at      timestamptz
);

CREATE INDEX upload_owner_created ON upload (owner_id, created_at DESC, id DESC);
CREATE INDEX upload_dataset ON upload (dataset_id) WHERE dataset_id IS NOT NULL;
CREATE INDEX upload_conversion_due ON upload (next_attempt_at) WHERE status = 'conversion_queued';
CREATE INDEX upload_expiring ON upload (expires_at) WHERE status = 'uploading';

-- The chunks of a chunked upload that have arrived, each with its own checksum.
CREATE TABLE upload_chunk (
    upload_id   uuid    NOT NULL REFERENCES upload (id) ON DELETE CASCADE,
    chunk_index integer NOT NULL,
    size_bytes  integer NOT NULL,
    sha256      text    NOT NULL,
    PRIMARY KEY (upload_id, chunk_index)
);
