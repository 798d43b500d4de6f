-- What the products' integrators already verify: an `x-webhook` signature profile beside
-- Standard Webhooks, and the `wrapped` body `{event, timestamp, webhookId, data}`.
ALTER TABLE webhooks DROP CONSTRAINT IF EXISTS webhooks_payload_format_check;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_payload_format_check
    CHECK (payload_format IN ('envelope', 'flat', 'wrapped'));
ALTER TABLE webhooks ADD COLUMN signature_profile TEXT NOT NULL DEFAULT 'standard'
    CHECK (signature_profile IN ('standard', 'x-webhook'));
