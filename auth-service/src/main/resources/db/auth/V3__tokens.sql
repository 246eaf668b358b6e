-- Signing keys: the private half sealed with the key-encryption key (AES-GCM), never stored
-- in clear. The key signing at a time is the one with the latest signs_from not after it.
CREATE TABLE signing_key (
    kid                 TEXT        PRIMARY KEY,
    algorithm           TEXT        NOT NULL,
    public_jwk          TEXT        NOT NULL,
    private_jwk_sealed  BYTEA       NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    signs_from          TIMESTAMPTZ NOT NULL
);

-- Refresh tokens are stored hashed. Each login starts a family (the session); every refresh
-- rotates to a new token of the same family.
CREATE TABLE refresh_token (
    id          UUID        PRIMARY KEY,
    family_id   UUID        NOT NULL,
    user_id     UUID        NOT NULL REFERENCES app_user (id),
    token_hash  BYTEA       NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    rotated_at  TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX refresh_token_family ON refresh_token (family_id);

-- Access tokens revoked before they expire (logout); rows may go once expires_at has passed.
CREATE TABLE revoked_access_token (
    jti         TEXT        PRIMARY KEY,
    user_id     UUID        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
