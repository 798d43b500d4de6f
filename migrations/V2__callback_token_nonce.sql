-- The callback token is derived from a server key and this per-tenant nonce, so the API
-- can show the URL again while the database keeps only the token's hash.
ALTER TABLE callback_tokens ADD COLUMN nonce BYTEA NOT NULL DEFAULT ''::bytea;
ALTER TABLE callback_tokens ALTER COLUMN nonce DROP DEFAULT;
