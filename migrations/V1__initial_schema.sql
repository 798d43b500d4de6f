-- hookrelay schema: every row is tenant-scoped and every query filters on the caller's tenant.

CREATE TABLE tenants (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- API keys are shown once; only a SHA-256 of the key is kept.
CREATE TABLE api_keys (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    key_prefix    TEXT NOT NULL,
    key_hash      BYTEA NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at, id);

CREATE TABLE webhooks (
    id                          UUID PRIMARY KEY,
    tenant_id                   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                        TEXT NOT NULL,
    description                 TEXT,
    url                         TEXT NOT NULL,
    event_types                 TEXT[] NOT NULL,
    enabled                     BOOLEAN NOT NULL DEFAULT TRUE,
    payload_format              TEXT NOT NULL DEFAULT 'envelope' CHECK (payload_format IN ('envelope', 'flat')),
    headers                     JSONB NOT NULL DEFAULT '{}'::jsonb,
    secret                      TEXT NOT NULL,
    -- The secret a rotation replaced; receivers keep getting its signature until it expires.
    previous_secret             TEXT,
    previous_secret_expires_at  TIMESTAMPTZ,
    created_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    modified_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_execution_at           TIMESTAMPTZ
);
CREATE INDEX webhooks_tenant_created ON webhooks (tenant_id, created_at, id);
CREATE INDEX webhooks_tenant_enabled ON webhooks (tenant_id) WHERE enabled;

-- `data` keeps the event's JSON text as accepted (compact, key order preserved), so every
-- body a webhook format derives from it is byte-identical across retries and replays.
CREATE TABLE events (
    id               UUID PRIMARY KEY,
    tenant_id        UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    data             TEXT NOT NULL,
    occurred_at      TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    idempotency_key  TEXT,
    trace_context    TEXT,
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX events_tenant_created ON events (tenant_id, created_at, id);

-- One row per (event, webhook). No foreign key to webhooks: deleting a webhook keeps its
-- delivery log; the dispatcher cancels what is still pending.
CREATE TABLE deliveries (
    id                  UUID PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_id            UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    webhook_id          UUID NOT NULL,
    status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TIMESTAMPTZ,
    -- When a job for this delivery was last handed to RabbitMQ (NULL: never); the sweeper
    -- republishes due deliveries whose job is missing.
    enqueued_at         TIMESTAMPTZ,
    last_attempt_at     TIMESTAMPTZ,
    last_response_code  INTEGER,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at        TIMESTAMPTZ
);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE delivery_attempts (
    delivery_id    UUID NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt_no     INTEGER NOT NULL,
    tenant_id      UUID NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    duration_ms    INTEGER NOT NULL,
    response_code  INTEGER,
    response_body  TEXT,
    error          TEXT,
    succeeded      BOOLEAN NOT NULL,
    PRIMARY KEY (delivery_id, attempt_no)
);

CREATE TABLE posts (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id           UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    channel_identifier  TEXT NOT NULL,
    post_text_idea      TEXT NOT NULL,
    scheduled_at_utc    TIMESTAMPTZ NOT NULL,
    status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'failed')),
    details             TEXT,
    event_id            UUID,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX posts_tenant ON posts (tenant_id, id);

-- One callback URL per tenant; the token itself is never stored.
CREATE TABLE callback_tokens (
    tenant_id       UUID PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash      BYTEA NOT NULL UNIQUE,
    signing_secret  TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every callback the ingester received for a tenant, accepted or not.
CREATE TABLE callbacks (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    post_id      BIGINT,
    status       TEXT,
    details      TEXT,
    outcome      TEXT NOT NULL,
    http_status  INTEGER NOT NULL
);
CREATE INDEX callbacks_tenant_post ON callbacks (tenant_id, post_id, received_at);
