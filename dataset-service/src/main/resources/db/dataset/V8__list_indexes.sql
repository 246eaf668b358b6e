-- A caller's own datasets in each list order, so that a page of them is read along an index
-- (ascending or descending, ties broken by id) instead of sorting all of them.
DROP INDEX dataset_owner_created;
CREATE INDEX dataset_owner_created ON dataset (owner_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX dataset_owner_updated ON dataset (owner_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX dataset_owner_name ON dataset (owner_id, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX dataset_owner_size ON dataset (owner_id, size_bytes, id) WHERE deleted_at IS NULL;
