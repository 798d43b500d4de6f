-- Per-endpoint flow control (issue 22): a webhook's own concurrency cap and rate limit,
-- and its circuit breaker as the dispatcher that owns it last recorded it.
ALTER TABLE webhooks
    -- Requests in flight at once; NULL: delivery.default_max_concurrency.
    ADD COLUMN max_concurrency        INTEGER CHECK (max_concurrency BETWEEN 1 AND 1000),
    -- At most rate_limit deliveries started per rate_limit_period; NULL: no limit.
    ADD COLUMN rate_limit             INTEGER CHECK (rate_limit >= 1),
    ADD COLUMN rate_limit_period      TEXT NOT NULL DEFAULT 'second'
        CHECK (rate_limit_period IN ('second', 'minute', 'hour')),
    -- `closed` or `open`; an open circuit whose retry time has passed is half-open.
    ADD COLUMN circuit_state          TEXT NOT NULL DEFAULT 'closed'
        CHECK (circuit_state IN ('closed', 'open')),
    ADD COLUMN circuit_opened_at      TIMESTAMPTZ,
    ADD COLUMN circuit_retry_at       TIMESTAMPTZ,
    ADD COLUMN circuit_cooldown_secs  INTEGER;

-- What the dispatcher serving the webhook reports every few seconds, for the API and the
-- console: deliveries waiting their turn (not failed, no attempt charged), the main
-- reason, and until when the receiver asked for a pause (429/503 Retry-After).
ALTER TABLE webhooks
    ADD COLUMN waiting_deliveries     INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN waiting_reason         TEXT,
    ADD COLUMN paused_until           TIMESTAMPTZ;
