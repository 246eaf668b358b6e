-- Raised by every change that must end the account's tokens at once (role, password,
-- deactivation); access tokens carry the version they were issued at (claim "tv").
ALTER TABLE app_user ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
