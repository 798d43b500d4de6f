-- What running webhooks for months needs: per-webhook retry schedules, disabling (by a
-- 410 from the receiver, or automatically after failing for days), and the receiver's
-- Retry-After hint in the attempt log.
ALTER TABLE webhooks
    -- Delays before retry 1, 2, 3... of this webhook's deliveries; NULL: the default.
    ADD COLUMN retry_schedule_secs  INTEGER[],
    -- Why and when hookrelay disabled it (`gone`, `failing`); cleared when re-enabled.
    ADD COLUMN disabled_reason      TEXT,
    ADD COLUMN disabled_at          TIMESTAMPTZ,
    -- Since when every attempt has failed (NULL: the last attempt succeeded, or none yet);
    -- kept by the recorder, read by the auto-disable job.
    ADD COLUMN failing_since        TIMESTAMPTZ;
CREATE INDEX webhooks_failing ON webhooks (failing_since) WHERE enabled AND failing_since IS NOT NULL;

ALTER TABLE delivery_attempts ADD COLUMN retry_after_secs INTEGER;
