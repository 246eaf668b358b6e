-- Whether the uploader asked for conversion (false: the file is stored as it is), and the name
-- of the dataset it went into, as the portal's job lists show it.
ALTER TABLE upload ADD COLUMN convert boolean NOT NULL DEFAULT true;
ALTER TABLE upload ADD COLUMN dataset_name text;
