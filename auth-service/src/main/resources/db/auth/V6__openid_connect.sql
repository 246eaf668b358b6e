-- OpenID Connect sign-ins in flight: state, nonce and PKCE verifier, kept for a few minutes.
CREATE TABLE oidc_login (
    state          TEXT        PRIMARY KEY,
    provider       TEXT        NOT NULL,
    nonce          TEXT        NOT NULL,
    code_verifier  TEXT        NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Accounts linked to an identity at a provider.
CREATE TABLE oidc_identity (
    provider    TEXT        NOT NULL,
    subject     TEXT        NOT NULL,
    user_id     UUID        NOT NULL REFERENCES app_user (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);
