-- The event-type catalogue of each tenant: types registered with a description, group,
-- optional JSON Schema and example, and types that were only seen in events (registered =
-- false, first_seen_at set by the ingest statement).
CREATE TABLE event_types (
    tenant_id      UUID NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    group_name     TEXT,
    schema         JSONB,
    -- JSON, not JSONB: an example keeps its key order, as test sends show it.
    example        JSON,
    deprecated     BOOLEAN NOT NULL DEFAULT FALSE,
    registered     BOOLEAN NOT NULL DEFAULT FALSE,
    first_seen_at  TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);

-- Strict tenants accept only registered event types whose data passes their schema.
ALTER TABLE tenants ADD COLUMN strict_event_types BOOLEAN NOT NULL DEFAULT FALSE;
