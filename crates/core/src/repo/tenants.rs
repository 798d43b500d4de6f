//! The `tenants` table.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use hookrelay_domain::ValidationError;

use super::GenericClient;
use crate::pagination::{split_page, Cursor, ListError};

/// A customer of hookrelay; every other row belongs to one.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Accept only registered event types whose data passes their schema.
    pub strict_event_types: bool,
}

/// Reads and writes tenants.
pub struct TenantRepo;

impl TenantRepo {
    /// Inserts a tenant.
    #[tracing::instrument(name = "TenantRepo::insert", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn insert(
        client: &impl GenericClient,
        name: &str,
    ) -> Result<Tenant, tokio_postgres::Error> {
        let id = Uuid::now_v7();
        let row = client
            .query_one(
                "INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING created_at",
                &[&id, &name],
            )
            .await?;
        Ok(Tenant {
            id,
            name: name.to_string(),
            created_at: row.get(0),
            strict_event_types: false,
        })
    }

    /// One tenant.
    #[tracing::instrument(name = "TenantRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        id: Uuid,
    ) -> Result<Option<Tenant>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                "SELECT name, created_at, strict_event_types FROM tenants WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(row.map(|r| Tenant {
            id,
            name: r.get(0),
            created_at: r.get(1),
            strict_event_types: r.get(2),
        }))
    }

    /// A page of tenants in creation order (ids are UUIDv7), after `cursor`.
    #[tracing::instrument(name = "TenantRepo::list", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list(
        client: &impl GenericClient,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<Tenant>, Option<String>), ListError> {
        const ORDERING: &str = "tenants_id_asc";
        let after = cursor
            .map(|c| Cursor::decode(c, ORDERING))
            .transpose()?
            .map(|c| {
                Uuid::parse_str(&c.id).map_err(|_| {
                    ValidationError::new("cursor", "is not a valid cursor for this listing")
                })
            })
            .transpose()?;
        let rows = client
            .query(
                "SELECT id, name, created_at, strict_event_types FROM tenants \
                  WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
                &[&after, &(limit + 1)],
            )
            .await?;
        let tenants = rows
            .iter()
            .map(|r| Tenant {
                id: r.get(0),
                name: r.get(1),
                created_at: r.get(2),
                strict_event_types: r.get(3),
            })
            .collect();
        Ok(split_page(tenants, limit, |t| Cursor {
            ordering: ORDERING.to_string(),
            key: String::new(),
            id: t.id.to_string(),
        }))
    }

    /// Turns strict event types on or off.
    #[tracing::instrument(name = "TenantRepo::set_strict_event_types", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn set_strict_event_types(
        client: &impl GenericClient,
        id: Uuid,
        strict: bool,
    ) -> Result<(), tokio_postgres::Error> {
        client
            .execute(
                "UPDATE tenants SET strict_event_types = $2 WHERE id = $1",
                &[&id, &strict],
            )
            .await?;
        Ok(())
    }
}
