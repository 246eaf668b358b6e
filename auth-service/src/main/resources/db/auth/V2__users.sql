CREATE TABLE app_user (
    id             UUID        PRIMARY KEY,
    email          TEXT        NOT NULL,
    email_key      TEXT        NOT NULL UNIQUE,
    name           TEXT        NOT NULL,
    password_hash  TEXT,
    role           TEXT        NOT NULL CHECK (role IN ('admin', 'user')),
    plan           TEXT        NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'professional', 'enterprise')),
    active         BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
