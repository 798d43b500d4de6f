-- ed25519 signing keys (issue 27, item 3). The key itself is in `secret` (`whsk_...`,
-- sealed like an HMAC secret); its public half is not secret and is shown with the
-- webhook, so it is kept here in the clear. NULL: the webhook signs with HMAC-SHA256.
ALTER TABLE webhooks ADD COLUMN public_key TEXT;
