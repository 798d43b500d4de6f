-- No query reads deliveries by webhook; the index only cost an entry on every insert and
-- on every (non-HOT) status update of a delivery.
DROP INDEX IF EXISTS deliveries_webhook;
