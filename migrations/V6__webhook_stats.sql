-- Success rates without scanning the attempt log: the recorder adds every recorded attempt
-- to its webhook's row of the minute, in the same statement that records the attempt. A
-- 30-day window of one webhook is at most 43,200 rows, however many attempts it had.
CREATE TABLE webhook_stats (
    webhook_id         UUID NOT NULL,
    minute             TIMESTAMPTZ NOT NULL,
    tenant_id          UUID NOT NULL,
    attempts           BIGINT NOT NULL,
    successes          BIGINT NOT NULL,
    -- Deliveries that ended `failed` (schedule used up) in this minute.
    failed_deliveries  BIGINT NOT NULL,
    -- Attempt durations counted by bucket: d0 counts attempts up to the first bound of
    -- `hookrelay_core::repo::stats::DURATION_BUCKETS_MS` (5 ms) ... d10 up to the last
    -- (10 s), d11 the slower ones. Plain columns: summing 43,200 minutes of an array's
    -- elements cost 40 ms, of columns a few.
    d0 BIGINT NOT NULL DEFAULT 0, d1 BIGINT NOT NULL DEFAULT 0, d2 BIGINT NOT NULL DEFAULT 0,
    d3 BIGINT NOT NULL DEFAULT 0, d4 BIGINT NOT NULL DEFAULT 0, d5 BIGINT NOT NULL DEFAULT 0,
    d6 BIGINT NOT NULL DEFAULT 0, d7 BIGINT NOT NULL DEFAULT 0, d8 BIGINT NOT NULL DEFAULT 0,
    d9 BIGINT NOT NULL DEFAULT 0, d10 BIGINT NOT NULL DEFAULT 0, d11 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (webhook_id, minute)
);

-- Pending deliveries of one webhook, counted for its stats.
CREATE INDEX deliveries_webhook_pending ON deliveries (webhook_id) WHERE status = 'pending';
