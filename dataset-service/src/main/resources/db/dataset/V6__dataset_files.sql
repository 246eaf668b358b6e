-- The files of a dataset, registered from upload-service's sciport.upload.completed events.
CREATE TABLE dataset_file (
    id           uuid PRIMARY KEY,  -- the upload job that stored it
    dataset_id   uuid        NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    filename     text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    content_type text,
    format       text,
    sha256       text,
    xxhash64     text,
    status       text        NOT NULL,  -- stored | converted | conversion_failed
    metadata     jsonb,
    created_at   timestamptz NOT NULL
);

CREATE INDEX dataset_file_dataset ON dataset_file (dataset_id, created_at, id);
