-- Ordered delivery (issue 23): FIFO webhooks and ordering keys.

-- `none`: deliveries go out as they come (concurrently); `fifo`: one at a time per
-- lane, in the order their events were accepted.
ALTER TABLE webhooks
    ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none' CHECK (ordering IN ('none', 'fifo'));

-- The key an event's deliveries are ordered by on FIFO webhooks (NULL: one lane per
-- webhook).
ALTER TABLE events ADD COLUMN ordering_key TEXT;

-- One row per (FIFO webhook, ordering key; '' for none). Recording an event locks the
-- row of each lane it enters (`last_seq = last_seq + n`) until it commits, so two
-- events of one lane get their numbers in the order they commit: the lane's order is
-- the API's commit order. The dispatcher reads the lane from `deliveries`.
CREATE TABLE delivery_lanes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    UUID NOT NULL,
    webhook_id   UUID NOT NULL,
    ordering_key TEXT NOT NULL DEFAULT '',
    -- The last number handed out in this lane.
    last_seq     BIGINT NOT NULL,
    UNIQUE (webhook_id, ordering_key)
);

-- A delivery's lane and place in it (NULL: not ordered — its webhook was not FIFO when
-- its event was accepted or replayed).
ALTER TABLE deliveries
    ADD COLUMN lane_id  BIGINT,
    ADD COLUMN lane_seq BIGINT;

-- The head of a lane is its pending delivery with the lowest number: one index probe.
CREATE INDEX deliveries_lane_pending ON deliveries (lane_id, lane_seq)
    WHERE status = 'pending' AND lane_id IS NOT NULL;
