-- What the portal's views need (issue 26, items 4 and 6).
-- The headers each attempt sent and received, as JSON arrays of [name, value] pairs
-- (custom header values are stored redacted: they are sealed on the webhook). NULL on
-- attempts recorded before this migration.
ALTER TABLE delivery_attempts ADD COLUMN request_headers JSONB, ADD COLUMN response_headers JSONB;

-- A bulk replay can be cancelled; its worker stops before its next batch.
ALTER TABLE replays DROP CONSTRAINT replays_state_check;
ALTER TABLE replays ADD CONSTRAINT replays_state_check
    CHECK (state IN ('running', 'completed', 'failed', 'cancelled'));

-- The language a tenant's portal sessions speak unless one asks for another (issue 26,
-- item 3); NULL: English.
ALTER TABLE tenants ADD COLUMN locale TEXT CHECK (locale IN ('en', 'ru'));
