//! The `event_types` table: each tenant's catalogue of event types. Types registered
//! through the API carry a description, group, JSON Schema and example; types only seen in
//! events are added by the ingest statement ([`SEEN_CTE`]).

use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use super::GenericClient;
use crate::fanout::pattern_match_sql;
use crate::pagination::{split_page, Cursor, ListError};
use hookrelay_domain::built_in_event_types;

/// The ingest statement's CTE that records the types of the events it inserted (from its
/// `event` CTE). `DO NOTHING` takes no lock on a known type, so concurrent batches never
/// wait for each other here.
pub const SEEN_CTE: &str = "seen AS ( \
       INSERT INTO event_types (tenant_id, name, first_seen_at) \
       SELECT DISTINCT tenant_id, event_type, now() FROM event \
       ON CONFLICT DO NOTHING \
     )";

/// A catalogue entry.
#[derive(Debug, Clone)]
pub struct EventTypeRecord {
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    pub schema: Option<serde_json::Value>,
    pub example: Option<serde_json::Value>,
    pub deprecated: bool,
    /// Registered through the API (not only seen in events).
    pub registered: bool,
    pub first_seen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields of a registration or update (validated by the caller).
#[derive(Debug, Clone, Default)]
pub struct EventTypeFields {
    pub description: Option<String>,
    pub group: Option<String>,
    pub schema: Option<serde_json::Value>,
    pub example: Option<serde_json::Value>,
    pub deprecated: bool,
}

/// A partial update; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EventTypePatch {
    pub description: Option<Option<String>>,
    pub group: Option<Option<String>>,
    pub schema: Option<Option<serde_json::Value>>,
    pub example: Option<Option<serde_json::Value>>,
    pub deprecated: Option<bool>,
}

/// Filters and page of a catalogue listing.
#[derive(Debug, Default)]
pub struct EventTypeListQuery {
    pub group: Option<String>,
    pub limit: i64,
    pub cursor: Option<String>,
}

const COLUMNS: &str = "name, description, group_name, schema, example, deprecated, registered, \
                       first_seen_at, created_at, updated_at";

fn from_row(r: &Row) -> EventTypeRecord {
    EventTypeRecord {
        name: r.get("name"),
        description: r.get("description"),
        group: r.get("group_name"),
        schema: r.get("schema"),
        example: r.get("example"),
        deprecated: r.get("deprecated"),
        registered: r.get("registered"),
        first_seen_at: r.get("first_seen_at"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

/// Reads and writes the catalogue.
pub struct EventTypeRepo;

impl EventTypeRepo {
    /// Whether the tenant's catalogue has room for `names` within `cap` (names it holds
    /// already take none). Takes the tenant's catalogue lock until `tx` ends, so
    /// concurrent additions cannot pass the cap together.
    #[tracing::instrument(name = "EventTypeRepo::room_for", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn room_for(
        tx: &deadpool_postgres::Transaction<'_>,
        tenant_id: Uuid,
        names: &[&str],
        cap: u32,
    ) -> Result<bool, tokio_postgres::Error> {
        super::lock_tenant(tx, "event_types", tenant_id).await?;
        let row = tx
            .query_one(
                "SELECT (SELECT count(*) FROM event_types WHERE tenant_id = $1), \
                        (SELECT count(*) FROM unnest($2::text[]) AS n(name) WHERE NOT EXISTS \
                           (SELECT 1 FROM event_types t WHERE t.tenant_id = $1 AND t.name = n.name))",
                &[&tenant_id, &names],
            )
            .await?;
        let (held, new): (i64, i64) = (row.get(0), row.get(1));
        Ok(new == 0 || held + new <= i64::from(cap))
    }

    /// Registers a type (a type only seen so far becomes registered); `None` when it is
    /// registered already.
    #[tracing::instrument(name = "EventTypeRepo::register", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn register(
        client: &impl GenericClient,
        tenant_id: Uuid,
        name: &str,
        f: &EventTypeFields,
    ) -> Result<Option<EventTypeRecord>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                &format!(
                    "INSERT INTO event_types (tenant_id, name, description, group_name, schema, example, \
                       deprecated, registered) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE) \
                     ON CONFLICT (tenant_id, name) DO UPDATE SET description = EXCLUDED.description, \
                       group_name = EXCLUDED.group_name, schema = EXCLUDED.schema, example = EXCLUDED.example, \
                       deprecated = EXCLUDED.deprecated, registered = TRUE, updated_at = now() \
                     WHERE NOT event_types.registered \
                     RETURNING {COLUMNS}"
                ),
                &[
                    &tenant_id,
                    &name,
                    &f.description,
                    &f.group,
                    &f.schema,
                    &f.example,
                    &f.deprecated,
                ],
            )
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Loads a preset entry: registered, with its group, description and example (an
    /// existing entry keeps its schema and deprecation).
    #[tracing::instrument(name = "EventTypeRepo::import", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn import(
        client: &impl GenericClient,
        tenant_id: Uuid,
        name: &str,
        group: &str,
        description: &str,
        example: Option<&serde_json::Value>,
    ) -> Result<(), tokio_postgres::Error> {
        client
            .execute(
                "INSERT INTO event_types (tenant_id, name, description, group_name, example, registered) \
                 VALUES ($1, $2, $3, $4, $5, TRUE) \
                 ON CONFLICT (tenant_id, name) DO UPDATE SET description = EXCLUDED.description, \
                   group_name = EXCLUDED.group_name, example = COALESCE(EXCLUDED.example, event_types.example), \
                   registered = TRUE, updated_at = now()",
                &[&tenant_id, &name, &description, &group, &example],
            )
            .await?;
        Ok(())
    }

    /// One entry of the tenant's catalogue.
    #[tracing::instrument(name = "EventTypeRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        tenant_id: Uuid,
        name: &str,
    ) -> Result<Option<EventTypeRecord>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM event_types WHERE tenant_id = $1 AND name = $2"),
                &[&tenant_id, &name],
            )
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Applies a partial update (the entry becomes registered).
    #[tracing::instrument(name = "EventTypeRepo::update", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn update(
        client: &impl GenericClient,
        tenant_id: Uuid,
        name: &str,
        p: &EventTypePatch,
    ) -> Result<Option<EventTypeRecord>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                &format!(
                    "UPDATE event_types SET \
                       description = CASE WHEN $3 THEN $4 ELSE description END, \
                       group_name = CASE WHEN $5 THEN $6 ELSE group_name END, \
                       schema = CASE WHEN $7 THEN $8 ELSE schema END, \
                       example = CASE WHEN $9 THEN $10 ELSE example END, \
                       deprecated = COALESCE($11, deprecated), registered = TRUE, updated_at = now() \
                     WHERE tenant_id = $1 AND name = $2 RETURNING {COLUMNS}"
                ),
                &[
                    &tenant_id,
                    &name,
                    &p.description.is_some(),
                    &p.description.clone().flatten(),
                    &p.group.is_some(),
                    &p.group.clone().flatten(),
                    &p.schema.is_some(),
                    &p.schema.clone().flatten(),
                    &p.example.is_some(),
                    &p.example.clone().flatten(),
                    &p.deprecated,
                ],
            )
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Removes an entry; `false` when there was none.
    #[tracing::instrument(name = "EventTypeRepo::delete", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn delete(
        client: &impl GenericClient,
        tenant_id: Uuid,
        name: &str,
    ) -> Result<bool, tokio_postgres::Error> {
        let n = client
            .execute(
                "DELETE FROM event_types WHERE tenant_id = $1 AND name = $2",
                &[&tenant_id, &name],
            )
            .await?;
        Ok(n > 0)
    }

    /// One page of the catalogue, by name.
    #[tracing::instrument(name = "EventTypeRepo::list", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list(
        client: &impl GenericClient,
        tenant_id: Uuid,
        q: &EventTypeListQuery,
    ) -> Result<(Vec<EventTypeRecord>, Option<String>), ListError> {
        const ORDERING: &str = "event_types_name_asc";
        let after = q
            .cursor
            .as_deref()
            .map(|c| Cursor::decode(c, ORDERING).map(|c| c.key))
            .transpose()?;
        let fetch = q.limit + 1;
        let params: [&(dyn ToSql + Sync); 4] = [&tenant_id, &q.group, &after, &fetch];
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM event_types WHERE tenant_id = $1 \
                       AND ($2::text IS NULL OR group_name = $2) \
                       AND ($3::text IS NULL OR name > $3) \
                     ORDER BY name LIMIT $4"
                ),
                &params,
            )
            .await?;
        let records: Vec<EventTypeRecord> = rows.iter().map(from_row).collect();
        Ok(split_page(records, q.limit, |e| Cursor {
            ordering: ORDERING.to_string(),
            key: e.name.clone(),
            id: Uuid::nil().to_string(),
        }))
    }

    /// The patterns of `patterns` that match no type of the tenant's catalogue nor a type
    /// hookrelay publishes itself.
    #[tracing::instrument(name = "EventTypeRepo::unmatched", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn unmatched(
        client: &impl GenericClient,
        tenant_id: Uuid,
        patterns: &[String],
    ) -> Result<Vec<String>, tokio_postgres::Error> {
        let rows = client
            .query(
                &format!(
                    "SELECT p FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) \
                     WHERE NOT EXISTS (SELECT 1 FROM ( \
                                         SELECT name FROM event_types WHERE tenant_id = $1 \
                                         UNION ALL SELECT unnest($3::text[])) e, \
                                       (SELECT ARRAY[t.p] AS event_types) w \
                                       WHERE {}) \
                     ORDER BY n",
                    pattern_match_sql("e.name")
                ),
                &[&tenant_id, &patterns, &built_in_event_types()],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}
