-- Addresses each account signed in from successfully: they pass the account-wide slow-down
-- that failures from many addresses bring on.
CREATE TABLE login_known_address (
    email_key     TEXT        NOT NULL,
    address       TEXT        NOT NULL,
    last_success  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (email_key, address)
);
