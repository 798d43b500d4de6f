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
    -- Attempt durations counted by bucket; the upper bounds (ms) are in the code
    -- (`hookrelay_core::repo::stats::DURATION_BUCKETS_MS`), the last bucket is open.
    duration_buckets   BIGINT[] NOT NULL,
    PRIMARY KEY (webhook_id, minute)
);

-- Pending deliveries of one webhook, counted for its stats.
CREATE INDEX deliveries_webhook_pending ON deliveries (webhook_id) WHERE status = 'pending';
