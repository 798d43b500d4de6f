//! Repositories: one per table family, each owning its SQL.

pub mod api_keys;
pub mod attempts;
pub mod callback_tokens;
pub mod deliveries;
pub mod event_types;
pub mod events;
pub mod lanes;
pub mod portal_sessions;
pub mod posts;
pub mod replays;
pub mod retention;
pub mod stats;
pub mod tenants;
pub mod webhooks;

pub use deadpool_postgres::GenericClient;
use hookrelay_domain::CorruptValue;
use tokio_postgres::types::ToSql;

use crate::report::ErrorChain;

/// Logs and counts a stored row that does not parse (every repository reports them here).
/// Serialises a tenant's writes of one kind (`what`) until the transaction ends, so a
/// cap counted in it (`limits.*`) cannot be passed by concurrent requests together.
pub(crate) async fn lock_tenant(
    tx: &deadpool_postgres::Transaction<'_>,
    what: &str,
    tenant_id: uuid::Uuid,
) -> Result<(), tokio_postgres::Error> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2::uuid::text, 0))",
        &[&what, &tenant_id],
    )
    .await
    .map(drop)
}

pub(crate) fn report_corrupt(table: &'static str, id: impl std::fmt::Display, e: &CorruptValue) {
    tracing::error!(table, id = %id, error = %ErrorChain(e), "corrupt row");
    metrics::counter!("hookrelay_corrupt_rows_total", "table" => table).increment(1);
}

/// The `WHERE` clause of a filtered listing, with only the filters actually given: every
/// shape of the query gets a plan that uses its own index (an `$n IS NULL OR ...` filter
/// would be planned once for all shapes).
#[derive(Default)]
pub(crate) struct Filters<'a> {
    conditions: Vec<String>,
    params: Vec<&'a (dyn ToSql + Sync)>,
}

impl<'a> Filters<'a> {
    /// Binds a value; returns its placeholder (`$n`).
    pub(crate) fn bind(&mut self, value: &'a (dyn ToSql + Sync)) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    /// Adds a condition built from placeholders returned by [`Filters::bind`].
    pub(crate) fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// Binds `value` and adds `condition(placeholder)` when the value is given.
    pub(crate) fn and_if<T: ToSql + Sync>(
        &mut self,
        value: &'a Option<T>,
        condition: impl FnOnce(&str) -> String,
    ) {
        if let Some(v) = value {
            let p = self.bind(v);
            self.and(condition(&p));
        }
    }

    pub(crate) fn where_sql(&self) -> String {
        self.conditions.join(" AND ")
    }

    pub(crate) fn params(&self) -> &[&'a (dyn ToSql + Sync)] {
        &self.params
    }
}
