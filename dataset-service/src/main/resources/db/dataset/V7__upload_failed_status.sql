-- A dataset whose upload failed says so (until another upload into it completes).
ALTER TABLE dataset DROP CONSTRAINT dataset_status_check;
ALTER TABLE dataset ADD CONSTRAINT dataset_status_check
    CHECK (status IN ('uploading', 'upload_failed', 'conversion_queued', 'converting', 'done', 'conversion_failed'));
