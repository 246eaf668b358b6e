-- A deleted project is marked, not removed: the API stops showing it (and its data records)
-- at once, while the usage history it is part of (projects created, data processed) stays
-- what it was.
ALTER TABLE project ADD COLUMN deleted_at timestamptz;
