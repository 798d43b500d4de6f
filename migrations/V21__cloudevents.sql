-- CloudEvents (issue 27, item 4): structured-mode bodies, and webhooks whose receiver
-- passed the CloudEvents validation handshake (their deliveries then carry
-- WebHook-Request-Origin; a new URL must pass it again).
ALTER TABLE webhooks DROP CONSTRAINT IF EXISTS webhooks_payload_format_check;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_payload_format_check
    CHECK (payload_format IN ('envelope', 'flat', 'wrapped', 'cloudevents'));
ALTER TABLE webhooks ADD COLUMN handshake TEXT CHECK (handshake IN ('cloudevents'));
