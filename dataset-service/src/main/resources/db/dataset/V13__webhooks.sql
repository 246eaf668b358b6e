-- Webhook subscriptions (seeds 001 and 003), the deliveries of events to them, and each attempt.
CREATE TABLE webhook_subscription (
    id                UUID        PRIMARY KEY,
    owner_id          UUID        NOT NULL,
    -- whether the owner subscribed as an administrator (who may read every object)
    owner_admin       BOOLEAN     NOT NULL,
    url               TEXT        NOT NULL,
    description       TEXT,
    events            TEXT[]      NOT NULL,
    resources         TEXT[]      NOT NULL DEFAULT '{}',
    secret            TEXT        NOT NULL,
    -- the secret before the last rotation, still signing until previous_until
    previous_secret   TEXT,
    previous_until    TIMESTAMPTZ,
    active            BOOLEAN     NOT NULL DEFAULT true,
    disabled_reason   TEXT,
    failing_since     TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    deleted_at        TIMESTAMPTZ
);
CREATE INDEX webhook_subscription_owner ON webhook_subscription (owner_id, created_at) WHERE deleted_at IS NULL;

CREATE TABLE webhook_delivery (
    id                UUID        PRIMARY KEY,
    seq               BIGSERIAL   NOT NULL,
    subscription_id   UUID        NOT NULL REFERENCES webhook_subscription (id),
    event_id          TEXT        NOT NULL,
    event_type        TEXT        NOT NULL,
    subject           TEXT        NOT NULL,
    payload           TEXT        NOT NULL,
    -- pending: waiting for its next attempt; sending: an attempt under way (until lease_until);
    -- delivered; failed: every attempt failed
    status            TEXT        NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts          INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL,
    lease_until       TIMESTAMPTZ,
    last_status_code  INTEGER,
    last_error        TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    delivered_at      TIMESTAMPTZ,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_delivery_order ON webhook_delivery (subscription_id, subject, seq) WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_delivery_listing ON webhook_delivery (subscription_id, seq DESC);

CREATE TABLE webhook_attempt (
    delivery_id       UUID        NOT NULL REFERENCES webhook_delivery (id),
    attempt           INTEGER     NOT NULL,
    at                TIMESTAMPTZ NOT NULL,
    status_code       INTEGER,
    latency_ms        INTEGER     NOT NULL,
    outcome           TEXT        NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    error             TEXT,
    response_excerpt  TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
