//! The `tenants` table.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use hookrelay_domain::branding::Branding;
use hookrelay_domain::portal::Locale;
use hookrelay_domain::{CorruptValue, ValidationError};
use tokio_postgres::Row;

use super::{report_corrupt, GenericClient};
use crate::db::DbError;
use crate::pagination::{split_page, Cursor, ListError};

/// A customer of hookrelay; every other row belongs to one.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Accept only registered event types whose data passes their schema.
    pub strict_event_types: bool,
    pub branding: Option<Branding>,
    /// The language of its portal sessions unless one asks for another.
    pub locale: Option<Locale>,
}

const COLUMNS: &str = "id, name, created_at, strict_event_types, branding, locale";

fn from_row(r: &Row) -> Result<Tenant, CorruptValue> {
    let id: Uuid = r.get("id");
    let branding = r
        .get::<_, Option<serde_json::Value>>("branding")
        .map(Branding::from_stored)
        .transpose()
        .inspect_err(|e| report_corrupt("tenants", id, e))?;
    let locale = r
        .get::<_, Option<&str>>("locale")
        .map(Locale::from_stored)
        .transpose()
        .inspect_err(|e| report_corrupt("tenants", id, e))?;
    Ok(Tenant {
        locale,
        id,
        name: r.get("name"),
        created_at: r.get("created_at"),
        strict_event_types: r.get("strict_event_types"),
        branding,
    })
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
            branding: None,
            locale: None,
        })
    }

    /// One tenant.
    #[tracing::instrument(name = "TenantRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(client: &impl GenericClient, id: Uuid) -> Result<Option<Tenant>, DbError> {
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM tenants WHERE id = $1"),
                &[&id],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
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
                &format!(
                    "SELECT {COLUMNS} FROM tenants \
                     WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2"
                ),
                &[&after, &(limit + 1)],
            )
            .await?;
        let tenants = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<Tenant>, CorruptValue>>()?;
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

    /// Sets (or with `None` clears) the language of the tenant's portal sessions.
    #[tracing::instrument(name = "TenantRepo::set_locale", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn set_locale(
        client: &impl GenericClient,
        id: Uuid,
        locale: Option<Locale>,
    ) -> Result<(), tokio_postgres::Error> {
        client
            .execute(
                "UPDATE tenants SET locale = $2 WHERE id = $1",
                &[&id, &locale.map(Locale::as_str)],
            )
            .await?;
        Ok(())
    }

    /// Sets (or with `None` clears) the tenant's branding.
    #[tracing::instrument(name = "TenantRepo::set_branding", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn set_branding(
        client: &impl GenericClient,
        id: Uuid,
        branding: Option<&Branding>,
    ) -> Result<(), tokio_postgres::Error> {
        let value = branding.map(|b| serde_json::to_value(b).unwrap_or_default());
        client
            .execute(
                "UPDATE tenants SET branding = $2 WHERE id = $1",
                &[&id, &value],
            )
            .await?;
        Ok(())
    }
}
