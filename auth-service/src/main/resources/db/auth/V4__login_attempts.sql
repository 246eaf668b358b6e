-- Failed sign-ins per account email and per client address, for slowing down and locking out
-- password guessing. Rows exist for unknown emails too, so a lock tells nothing about accounts.
CREATE TABLE login_attempt (
    attempt_key   TEXT        PRIMARY KEY,
    failures      INTEGER     NOT NULL,
    last_failure  TIMESTAMPTZ NOT NULL,
    locked_until  TIMESTAMPTZ
);
