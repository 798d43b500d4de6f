-- What the operator views need: a per-webhook attempt log, delivery listings, replays
-- with a fresh retry schedule, bulk replays, and test sends in the log.

-- Attempts carry their webhook, event and event type, so a webhook's log is one index
-- range (no join to deliveries and events per row), and get an id of their own: a test
-- send is logged as an attempt that belongs to no delivery. `payload` is kept only for
-- test sends; a delivery's body is rebuilt from its event (bodies are deterministic).
ALTER TABLE delivery_attempts
    ADD COLUMN id              UUID,
    ADD COLUMN webhook_id      UUID,
    ADD COLUMN event_id        UUID,
    ADD COLUMN event_type      TEXT,
    ADD COLUMN payload_format  TEXT,
    ADD COLUMN test            BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN payload         TEXT;

UPDATE delivery_attempts a
SET id = gen_random_uuid(), webhook_id = d.webhook_id, event_id = d.event_id, event_type = e.event_type
FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE d.id = a.delivery_id;
DELETE FROM delivery_attempts WHERE id IS NULL;

ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_pkey;
ALTER TABLE delivery_attempts
    ALTER COLUMN id SET NOT NULL,
    ALTER COLUMN webhook_id SET NOT NULL,
    ALTER COLUMN event_type SET NOT NULL,
    ALTER COLUMN delivery_id DROP NOT NULL,
    ADD PRIMARY KEY (id);
-- One row per attempt of a delivery: a duplicate job's attempt is recognised here.
CREATE UNIQUE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt_no);
-- The webhook log, newest first.
CREATE INDEX delivery_attempts_webhook ON delivery_attempts (webhook_id, started_at DESC, id DESC);

-- A replay starts the retry schedule again: attempts keep counting (the log stays one
-- sequence), and the schedule position is `attempts - schedule_base`.
ALTER TABLE deliveries ADD COLUMN schedule_base INTEGER NOT NULL DEFAULT 0;

-- Listings: a tenant's deliveries and one webhook's deliveries, newest first.
CREATE INDEX deliveries_tenant_created ON deliveries (tenant_id, created_at DESC, id DESC);
CREATE INDEX deliveries_webhook_created ON deliveries (webhook_id, created_at DESC, id DESC);

-- Bulk replays of one webhook's deliveries, run in the background by the API.
CREATE TABLE replays (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL,
    webhook_id      UUID NOT NULL,
    since           TIMESTAMPTZ NOT NULL,
    until           TIMESTAMPTZ NOT NULL,
    only_failed     BOOLEAN NOT NULL,
    include_missed  BOOLEAN NOT NULL,
    state           TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'completed', 'failed')),
    total           BIGINT NOT NULL DEFAULT 0,
    replayed        BIGINT NOT NULL DEFAULT 0,
    created         BIGINT NOT NULL DEFAULT 0,
    error           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ,
    -- Where the worker stands: it replays existing deliveries in (created_at, id) order,
    -- then creates the missed ones; a worker that stops is taken over once its heartbeat
    -- is old, from this position.
    phase           TEXT NOT NULL DEFAULT 'existing' CHECK (phase IN ('existing', 'missed')),
    after_created   TIMESTAMPTZ,
    after_id        UUID,
    heartbeat_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- At most one running bulk replay per webhook.
CREATE UNIQUE INDEX replays_one_running ON replays (webhook_id) WHERE state = 'running';
