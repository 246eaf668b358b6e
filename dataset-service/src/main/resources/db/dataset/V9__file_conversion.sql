-- Where each uploaded file's conversion stands, so that a dataset filled by several uploads
-- shows all of them: queued | converting | converted | failed. NULL for files Sciport does
-- not convert (harvested files and workflow outputs, registered without an xxHash64) and for
-- uploads whose conversion was cancelled.
ALTER TABLE dataset_file ADD COLUMN conversion text
    CHECK (conversion IN ('queued', 'converting', 'converted', 'failed'));
-- An upload still 'stored' is queued or converting now; its next event moves it on from
-- 'queued' either way.
UPDATE dataset_file SET conversion = CASE
    WHEN status = 'converted' THEN 'converted'
    WHEN status = 'conversion_failed' THEN 'failed'
    WHEN status = 'stored' AND xxhash64 <> '' THEN 'queued' END;
