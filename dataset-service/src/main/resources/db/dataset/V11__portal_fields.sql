-- What the data portal's clients describe a dataset with: the instrument's sensor type, the
-- dashboard to open it in, its dimensions as text, and whether anyone signed in may read it.
ALTER TABLE dataset ADD COLUMN sensor text CHECK (length(sensor) BETWEEN 1 AND 64);
ALTER TABLE dataset ADD COLUMN dimensions text CHECK (length(dimensions) <= 200);
ALTER TABLE dataset ADD COLUMN preferred_dashboard text CHECK (length(preferred_dashboard) <= 100);
ALTER TABLE dataset ADD COLUMN is_public boolean NOT NULL DEFAULT false;
CREATE INDEX dataset_public_created ON dataset (created_at DESC, id) WHERE is_public AND deleted_at IS NULL;
