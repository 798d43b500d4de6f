//! The `delivery_lanes` table: FIFO webhooks' lanes, one per (webhook, ordering key),
//! and the numbers their deliveries take (see `hookrelay_domain::ordering`).
//!
//! Numbers are handed out inside the statement that creates or replays the deliveries,
//! through [`LANES_CTE`]: it upserts each lane the statement enters, which locks the lane's
//! row until the statement's transaction commits, so two statements entering one lane
//! take their numbers in the order they commit. Lanes are upserted in one order (webhook,
//! key): two statements never wait on each other in a circle.

use uuid::Uuid;

use super::deliveries::{job_of, plain_index_scans};
use super::GenericClient;
use crate::outbox::Unpublished;
use hookrelay_domain::delivery::DeliveryJob;

/// CTEs `lane_need` and `lane` over a CTE `matched(tenant_id, webhook_id, fifo, lane_key,
/// ord, ...)` (one row per delivery; `fifo`: its webhook orders deliveries; `lane_key`:
/// the event's ordering key or `''`; `ord`: its place among the statement's deliveries):
/// `lane` holds each entered lane's id and its last number after the statement.
pub const LANES_CTE: &str = "lane_need AS ( \
       SELECT tenant_id, webhook_id, lane_key, count(*) AS n FROM matched WHERE fifo \
       GROUP BY 1, 2, 3 \
     ), lane AS ( \
       INSERT INTO delivery_lanes (tenant_id, webhook_id, ordering_key, last_seq) \
       SELECT tenant_id, webhook_id, lane_key, n FROM lane_need ORDER BY webhook_id, lane_key \
       ON CONFLICT (webhook_id, ordering_key) \
       DO UPDATE SET last_seq = delivery_lanes.last_seq + EXCLUDED.last_seq \
       RETURNING id, webhook_id, ordering_key, last_seq \
     )";

/// Joins `matched m` to its lane (`l`, NULL when unordered) for [`LANE_NUMBERS`].
pub const LANE_JOIN: &str = "LEFT JOIN lane_need n \
       ON m.fifo AND n.webhook_id = m.webhook_id AND n.lane_key = m.lane_key \
     LEFT JOIN lane l ON m.fifo AND l.webhook_id = m.webhook_id AND l.ordering_key = m.lane_key";

/// A delivery's `lane_id` and `lane_seq` (NULL: unordered), selected from `matched m`
/// joined by [`LANE_JOIN`]: its number comes after the lane's earlier ones, in `ord` order.
pub const LANE_NUMBERS: &str = "l.id AS lane_id, \
     l.last_seq - n.n + row_number() OVER (PARTITION BY m.webhook_id, m.lane_key ORDER BY m.ord) AS lane_seq";

/// Puts the finished deliveries of `matched(id, ...)` back to pending for a fresh round
/// of attempts (a replay), numbered at the end of their lanes; to be followed by the
/// caller's `RETURNING` (over `d`, the delivery, and `e`, its event).
pub fn replay_update() -> String {
    format!(
        "numbered AS ( \
           SELECT m.id, {LANE_NUMBERS} FROM matched m {LANE_JOIN} \
         ) \
         UPDATE deliveries d SET status = 'pending', next_attempt_at = now(), completed_at = NULL, \
                schedule_base = d.attempts, lane_id = nb.lane_id, lane_seq = nb.lane_seq \
         FROM numbered nb, events e WHERE d.id = nb.id AND e.id = d.event_id"
    )
}

/// How FIFO lanes stand, for the gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LaneBacklog {
    /// Deliveries waiting behind a lane's head.
    pub waiting: i64,
    /// Lanes with a pending head.
    pub busy_lanes: i64,
    /// Age of the oldest pending head (seconds since its event was accepted).
    pub oldest_head_age_secs: f64,
}

/// Reads and writes lanes.
pub struct LaneRepo;

impl LaneRepo {
    /// Takes a webhook's pending deliveries out of their lanes (it stopped ordering), and
    /// returns the jobs of those due (those waiting behind a head had theirs dropped; one
    /// due later has its own job on the way).
    #[tracing::instrument(name = "LaneRepo::release", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn release(
        client: &impl GenericClient,
        tenant_id: Uuid,
        webhook_id: Uuid,
    ) -> Result<Unpublished<u64>, tokio_postgres::Error> {
        let rows = client
            .query(
                "UPDATE deliveries d SET lane_id = NULL, lane_seq = NULL \
                 FROM events e \
                 WHERE d.webhook_id = $1 AND d.tenant_id = $2 AND d.status = 'pending' \
                   AND d.lane_id IS NOT NULL AND e.id = d.event_id \
                 RETURNING d.id, d.attempts, e.trace_context, d.tenant_id, d.webhook_id, \
                           d.next_attempt_at <= now() + interval '1 second' AS due",
                &[&webhook_id, &tenant_id],
            )
            .await?;
        let jobs: Vec<DeliveryJob> = rows
            .iter()
            .filter(|r| r.get::<_, bool>("due"))
            .map(job_of)
            .collect();
        Ok(Unpublished::new(rows.len() as u64, jobs))
    }

    /// Deliveries waiting in FIFO lanes and the oldest head's age.
    #[tracing::instrument(name = "LaneRepo::backlog", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn backlog(
        client: &mut deadpool_postgres::Client,
    ) -> Result<LaneBacklog, tokio_postgres::Error> {
        let tx = plain_index_scans(client).await?;
        let row = tx
            .query_one(
                "SELECT count(*) FILTER (WHERE place > 1), count(*) FILTER (WHERE place = 1), \
                        COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE place = 1))::float8, 0) \
                 FROM (SELECT created_at, row_number() OVER (PARTITION BY lane_id ORDER BY lane_seq) AS place \
                       FROM deliveries WHERE status = 'pending' AND lane_id IS NOT NULL) pending",
                &[],
            )
            .await?;
        tx.commit().await?;
        Ok(LaneBacklog {
            waiting: row.get(0),
            busy_lanes: row.get(1),
            oldest_head_age_secs: row.get(2),
        })
    }
}
