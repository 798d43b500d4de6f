-- Signed callbacks remembered while their signature would still pass (issue 24, item 7):
-- a replay inside the 5-minute window finds its digest here and changes nothing. The
-- digest is of the webhook-id (Standard Webhooks) or of the timestamped
-- X-Webhook-Signature. Expired rows are pruned by the tenant's next signed callback.
CREATE TABLE callback_receipts (
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    digest       BYTEA NOT NULL,
    valid_until  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, digest)
);
CREATE INDEX callback_receipts_expiry ON callback_receipts (tenant_id, valid_until);
