//! Retention: deleting rows older than a cutoff, a small batch at a time, so no statement
//! holds locks for long or rewrites a table. Each call deletes at most `batch` rows of one
//! table (found through its BRIN time index) and returns how many it deleted.

use chrono::{DateTime, Utc};

use super::GenericClient;

/// The tables retention clears, in the order it clears them (attempts before their
/// deliveries, deliveries before their events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Attempts,
    Deliveries,
    Events,
    Callbacks,
    Stats,
    Replays,
    PortalSessions,
}

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Attempts,
        Table::Deliveries,
        Table::Events,
        Table::Callbacks,
        Table::Stats,
        Table::Replays,
        Table::PortalSessions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Attempts => "delivery_attempts",
            Table::Deliveries => "deliveries",
            Table::Events => "events",
            Table::Callbacks => "callbacks",
            Table::Stats => "webhook_stats",
            Table::Replays => "replays",
            Table::PortalSessions => "portal_sessions",
        }
    }

    /// The table's BRIN time index, if it has one.
    fn brin_index(self) -> Option<&'static str> {
        match self {
            Table::Attempts => Some("delivery_attempts_started_brin"),
            Table::Deliveries => Some("deliveries_created_brin"),
            Table::Events => Some("events_created_brin"),
            Table::Callbacks => Some("callbacks_received_brin"),
            Table::Stats => Some("webhook_stats_minute_brin"),
            Table::Replays | Table::PortalSessions => None,
        }
    }

    /// The rows of the table that are old enough to go (`$1` is the cutoff). Pending
    /// deliveries, and events a pending delivery still needs, stay.
    fn old_rows(self) -> &'static str {
        match self {
            Table::Attempts => "SELECT ctid FROM delivery_attempts WHERE started_at < $1",
            Table::Deliveries => {
                "SELECT ctid FROM deliveries WHERE created_at < $1 AND status <> 'pending'"
            }
            Table::Events => {
                "SELECT ctid FROM events e WHERE created_at < $1 AND NOT EXISTS \
                 (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')"
            }
            Table::Callbacks => "SELECT ctid FROM callbacks WHERE received_at < $1",
            Table::Stats => "SELECT ctid FROM webhook_stats WHERE minute < $1",
            Table::Replays => {
                "SELECT ctid FROM replays WHERE state <> 'running' AND created_at < $1"
            }
            Table::PortalSessions => "SELECT ctid FROM portal_sessions WHERE expires_at < $1",
        }
    }
}

/// Arbitrary but fixed advisory lock key: one retention round at a time.
pub const RETENTION_LOCK_KEY: i64 = 0x686f_6f6b_7265_6c04;

/// Deletes rows.
pub struct RetentionRepo;

impl RetentionRepo {
    /// Summarizes the page ranges of the table's BRIN index that were filled since the
    /// last summary; returns how many. A BRIN index skips only summarized ranges, and
    /// only VACUUM summarizes otherwise: without it (autovacuum off, or behind on an
    /// insert-only table) every round's search read every new page again, a scan of
    /// hundreds of milliseconds that grew with the table. This reads each new page once.
    #[tracing::instrument(name = "RetentionRepo::summarize", skip_all, fields(otel.kind = "client", db.system = "postgresql", table = table.name()))]
    pub async fn summarize(
        client: &impl GenericClient,
        table: Table,
    ) -> Result<i32, tokio_postgres::Error> {
        let Some(index) = table.brin_index() else {
            return Ok(0);
        };
        let row = client
            .query_one(
                "SELECT brin_summarize_new_values($1::text::regclass)",
                &[&index],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Deletes up to `batch` rows of `table` older than `cutoff`; returns how many.
    #[tracing::instrument(name = "RetentionRepo::delete_batch", skip_all, fields(otel.kind = "client", db.system = "postgresql", table = table.name()))]
    pub async fn delete_batch(
        client: &impl GenericClient,
        table: Table,
        cutoff: DateTime<Utc>,
        batch: i64,
    ) -> Result<u64, tokio_postgres::Error> {
        let sql = format!(
            "DELETE FROM {} WHERE ctid = ANY(ARRAY({} LIMIT $2))",
            table.name(),
            table.old_rows()
        );
        client.execute(&sql, &[&cutoff, &batch]).await
    }
}
