//! The `tenants` table.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::GenericClient;

/// A customer of hookrelay; every other row belongs to one.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
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
        })
    }
}
