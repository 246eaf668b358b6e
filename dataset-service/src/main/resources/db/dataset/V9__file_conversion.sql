-- Where each uploaded file's conversion stands, so that a dataset filled by several uploads
-- shows all of them: queued | converting | converted | failed. NULL for files Sciport does
-- not convert (harvested files, workflow outputs) and for files registered before this column,
-- whose dataset keeps following its own transitions.
ALTER TABLE dataset_file ADD COLUMN conversion text
    CHECK (conversion IN ('queued', 'converting', 'converted', 'failed'));
UPDATE dataset_file SET conversion = CASE status WHEN 'converted' THEN 'converted' WHEN 'conversion_failed' THEN 'failed' END;
