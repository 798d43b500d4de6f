-- What a tenant needs to debug a callback it sent (issue 24, item 5): the error it was
-- answered and the start of the body, for accepted and refused ones alike; listed newest
-- first by GET /v1/callbacks.
ALTER TABLE callbacks ADD COLUMN error TEXT, ADD COLUMN body_excerpt TEXT;
CREATE INDEX callbacks_tenant_newest ON callbacks (tenant_id, id DESC);
