-- Portal sessions (issue 26): a product hands a customer a link to its own webhooks page.
-- The token (`hrp_...`) is stored only as a SHA-256 hash, like API keys; a session works
-- until it expires or is revoked, read-only ones for reading only.
CREATE TABLE portal_sessions (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash  BYTEA NOT NULL UNIQUE,
    read_only   BOOLEAN NOT NULL,
    locale      TEXT NOT NULL CHECK (locale IN ('en', 'ru')),
    return_url  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX portal_sessions_tenant ON portal_sessions (tenant_id, created_at DESC);
