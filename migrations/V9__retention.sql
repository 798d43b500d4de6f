-- Retention deletes rows older than `retention.days` in small batches, by time. BRIN
-- indexes find them at almost no cost on the hot path: these tables are appended in time
-- order, so a block range summary (min/max per 128 pages) is enough.
CREATE INDEX delivery_attempts_started_brin ON delivery_attempts USING brin (started_at);
CREATE INDEX deliveries_created_brin ON deliveries USING brin (created_at);
CREATE INDEX events_created_brin ON events USING brin (created_at);
CREATE INDEX callbacks_received_brin ON callbacks USING brin (received_at);
CREATE INDEX webhook_stats_minute_brin ON webhook_stats USING brin (minute);
