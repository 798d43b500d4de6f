//! The `deliveries` table: what the dispatcher reads before an attempt (its attempts are
//! recorded by `attempts::AttemptRepo`), the sweeper's view of due work, replays and the
//! delivery listings.

use chrono::{DateTime, Utc};
use hookrelay_domain::delivery::{
    DeliveryJob, DeliveryStatus, DispatchContext, EventContent, WebhookState,
};
use hookrelay_domain::flow::{Endpoint, StoredFlow};
use hookrelay_domain::ordering::{LaneSpot, OrderingMode};
use hookrelay_domain::{CorruptValue, EventTypePattern};
use tokio_postgres::Row;
use uuid::Uuid;

use super::lanes::{replay_update, LANES_CTE};
use super::{report_corrupt, Filters, GenericClient};
use crate::db::DbError;
use crate::fanout::pattern_covers_sql;
use crate::outbox::Unpublished;
use crate::pagination::{split_page, time_cursor, Cursor, ListError};
use crate::secrets::SecretCipher;

/// A delivery as the API shows it.
#[derive(Debug, Clone)]
pub struct DeliverySummary {
    pub id: Uuid,
    pub event_id: Uuid,
    pub webhook_id: Uuid,
    pub status: DeliveryStatus,
    /// The event's type (`None`: the event was deleted by retention).
    pub event_type: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_response_code: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Where it waits in its FIFO lane (pending deliveries of FIFO webhooks only).
    pub lane: Option<LaneStanding>,
}

/// Where a pending delivery stands in its FIFO lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneStanding {
    /// The lane's ordering key (`""`: the webhook's single lane).
    pub key: String,
    /// Pending deliveries ahead of it (0: it is the head), counted up to 10,000.
    pub ahead: i64,
    /// The head it waits behind (`None`: it is the head).
    pub behind: Option<Uuid>,
}

/// Filters and page of a delivery listing.
#[derive(Debug, Default)]
pub struct DeliveryListQuery {
    pub webhook_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub status: Option<DeliveryStatus>,
    /// An exact type, `prefix.*` or `*`.
    pub event_type: Option<EventTypePattern>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
    pub cursor: Option<String>,
}

/// Arbitrary but fixed advisory lock key: one sweeper at a time.
const SWEEPER_LOCK_KEY: i64 = 0x686f_6f6b_7265_6c02;

/// Opens a transaction for statements that scan the pending-delivery partial indexes
/// (`deliveries_due`, `deliveries_lane_pending`) for many rows, with bitmap and sequential
/// scans off. Those indexes keep an entry for every delivery finished since the last
/// VACUUM; a plain index scan marks each one dead as it passes (once no transaction can
/// still see the row), so the next scan skips it, while a bitmap scan — the planner's
/// choice for these counts — never does and visits them all again every round
/// (docs/SCALING.md).
pub(crate) async fn plain_index_scans(
    client: &mut deadpool_postgres::Client,
) -> Result<deadpool_postgres::Transaction<'_>, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.batch_execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off")
        .await?;
    Ok(tx)
}

/// A delivery's columns (of `deliveries d`) as the API shows them, with where a pending
/// delivery stands in its FIFO lane: its key, how many wait ahead of it (counted up to
/// 10,000) and the head it waits behind.
const SUMMARY_COLUMNS: &str = "d.id, d.event_id, d.webhook_id, d.status, \
       (SELECT e.event_type FROM events e WHERE e.id = d.event_id) AS event_type, d.attempts, d.next_attempt_at, \
       d.last_attempt_at, d.last_response_code, d.created_at, d.completed_at, \
       CASE WHEN d.lane_id IS NOT NULL AND d.status = 'pending' THEN ( \
         SELECT ordering_key FROM delivery_lanes l WHERE l.id = d.lane_id) END AS lane_key, \
       CASE WHEN d.lane_id IS NOT NULL AND d.status = 'pending' THEN ( \
         SELECT count(*) FROM (SELECT 1 FROM deliveries h WHERE h.lane_id = d.lane_id \
           AND h.status = 'pending' AND h.lane_seq < d.lane_seq LIMIT 10000) ahead) END AS lane_ahead, \
       CASE WHEN d.lane_id IS NOT NULL AND d.status = 'pending' THEN ( \
         SELECT h.id FROM deliveries h WHERE h.lane_id = d.lane_id AND h.status = 'pending' \
           AND h.lane_seq < d.lane_seq ORDER BY h.lane_seq LIMIT 1) END AS lane_head";

/// The next job of a pending delivery from `(id, attempts, trace_context, tenant_id,
/// webhook_id)`.
pub(super) fn job_of(r: &Row) -> DeliveryJob {
    DeliveryJob::after_recorded(r.get(0), r.get(1), r.get(2)).to(Endpoint {
        tenant_id: r.get(3),
        webhook_id: r.get(4),
    })
}

/// Reads a delivery's status column.
fn status_of(row: &Row) -> Result<DeliveryStatus, CorruptValue> {
    DeliveryStatus::from_stored(row.get("status"))
}

fn summary(row: &Row) -> Result<DeliverySummary, CorruptValue> {
    Ok(DeliverySummary {
        id: row.get("id"),
        event_id: row.get("event_id"),
        webhook_id: row.get("webhook_id"),
        status: status_of(row)?,
        event_type: row.get("event_type"),
        attempts: row.get("attempts"),
        next_attempt_at: row.get("next_attempt_at"),
        last_attempt_at: row.get("last_attempt_at"),
        last_response_code: row.get("last_response_code"),
        created_at: row.get("created_at"),
        completed_at: row.get("completed_at"),
        lane: row
            .get::<_, Option<String>>("lane_key")
            .map(|key| LaneStanding {
                key,
                ahead: row.get::<_, Option<i64>>("lane_ahead").unwrap_or(0),
                behind: row.get("lane_head"),
            }),
    })
}

/// Reads the webhook columns of a dispatch row: a row that does not parse is reported
/// (error log, `hookrelay_corrupt_rows_total`) and becomes [`WebhookState::Corrupt`].
fn webhook_state(row: &Row, cipher: &SecretCipher) -> WebhookState {
    if !row.get::<_, bool>("has_webhook") {
        return WebhookState::Deleted;
    }
    if !row.get::<_, bool>("enabled") {
        return WebhookState::Disabled;
    }
    match super::webhooks::read_target(row, cipher) {
        Ok(target) => WebhookState::Active(Box::new(target)),
        Err(corrupt) => {
            let webhook_id: Uuid = row.get("webhook_id");
            report_corrupt("webhooks", webhook_id, &corrupt);
            WebhookState::Corrupt(corrupt)
        }
    }
}

/// The webhook's limits and circuit; the defaults when it is gone or they do not parse
/// (a corrupt row is reported, and fails its deliveries through `webhook_state`).
fn flow_of(row: &Row) -> StoredFlow {
    if !row.get::<_, bool>("has_webhook") {
        return StoredFlow::default();
    }
    super::webhooks::read_flow(row).unwrap_or_else(|corrupt| {
        report_corrupt("webhooks", row.get::<_, Uuid>("webhook_id"), &corrupt);
        StoredFlow::default()
    })
}

/// Whether the webhook orders its deliveries; `none` when it is gone or the value does not
/// parse (reported: its row also fails its deliveries through `webhook_state`).
fn ordering_of(row: &Row) -> OrderingMode {
    let Some(stored) = row.get::<_, Option<&str>>("ordering") else {
        return OrderingMode::None;
    };
    OrderingMode::from_stored(stored).unwrap_or_else(|corrupt| {
        report_corrupt("webhooks", row.get::<_, Uuid>("webhook_id"), &corrupt);
        OrderingMode::None
    })
}

/// The `applied` CTE of recording attempts (`AttemptRepo::record`): each attempt of
/// `input` that `inserted` kept moves its delivery, if still pending, to the attempt's
/// outcome (`new_status`, `next_attempt_at`); returns the deliveries changed (`id`,
/// `webhook_id`).
pub(super) fn settle_cte(input: &str, inserted: &str) -> String {
    format!(
        "applied AS ( \
           UPDATE deliveries d SET status = i.new_status, attempts = i.attempt_no, \
                  next_attempt_at = i.next_attempt_at, last_attempt_at = i.started_at, \
                  last_response_code = i.response_code, \
                  completed_at = CASE WHEN i.new_status <> 'pending' THEN now() END \
           FROM {input} i JOIN {inserted} USING (delivery_id, attempt_no) \
           WHERE d.id = i.delivery_id AND d.status = 'pending' \
           RETURNING d.id, d.webhook_id \
         )"
    )
}

/// Reads and writes deliveries.
pub struct DeliveryRepo;

impl DeliveryRepo {
    /// Loads the dispatch context of several deliveries at once. Every row is reached
    /// through a primary key (the `LIMIT 1` keeps the webhook lookup an index probe). A
    /// delivery whose own status is corrupt is reported and left out.
    #[tracing::instrument(name = "DeliveryRepo::load_for_dispatch", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn load_for_dispatch(
        client: &impl GenericClient,
        ids: &[Uuid],
        cipher: &SecretCipher,
    ) -> Result<Vec<DispatchContext>, tokio_postgres::Error> {
        let stmt = client
            .prepare_cached(
                "SELECT d.id, d.tenant_id, d.status, d.attempts, d.schedule_base, d.event_id, d.webhook_id, d.created_at, \
                        e.event_type, e.data, e.occurred_at, \
                        w.id IS NOT NULL AS has_webhook, w.url, w.enabled, w.payload_format, w.headers, \
                        w.secret, w.retry_schedule_secs, w.signature_profile, w.handshake, \
                        w.max_concurrency, w.rate_limit, w.rate_limit_period, w.circuit_state, \
                        w.circuit_opened_at, w.circuit_retry_at, w.circuit_cooldown_secs, w.ordering, \
                        CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END AS previous_secret, \
                        d.lane_id, d.lane_seq, \
                        CASE WHEN d.lane_id IS NOT NULL AND d.status = 'pending' THEN ( \
                          SELECT h.id FROM deliveries h \
                          WHERE h.lane_id = d.lane_id AND h.status = 'pending' AND h.lane_seq < d.lane_seq \
                          ORDER BY h.lane_seq LIMIT 1 \
                        ) END AS lane_head \
                 FROM deliveries d JOIN events e ON e.id = d.event_id \
                 LEFT JOIN LATERAL ( \
                   SELECT * FROM webhooks WHERE id = d.webhook_id AND tenant_id = d.tenant_id LIMIT 1 \
                 ) w ON true \
                 WHERE d.id = ANY($1)",
            )
            .await?;
        let rows = client.query(&stmt, &[&ids]).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let delivery_id: Uuid = r.get("id");
                let status = status_of(r)
                    .map_err(|e| report_corrupt("deliveries", delivery_id, &e))
                    .ok()?;
                Some(DispatchContext {
                    delivery_id,
                    tenant_id: r.get("tenant_id"),
                    webhook_id: r.get("webhook_id"),
                    status,
                    attempts: u32::try_from(r.get::<_, i32>("attempts")).unwrap_or(0),
                    schedule_base: u32::try_from(r.get::<_, i32>("schedule_base")).unwrap_or(0),
                    created_at: r.get("created_at"),
                    event: EventContent {
                        id: r.get("event_id"),
                        event_type: r.get("event_type"),
                        data: r.get("data"),
                        occurred_at: r.get("occurred_at"),
                    },
                    webhook: webhook_state(r, cipher),
                    flow: flow_of(r),
                    ordering: ordering_of(r),
                    lane: r.get::<_, Option<i64>>("lane_id").map(|lane_id| LaneSpot {
                        lane_id,
                        seq: r.get::<_, Option<i64>>("lane_seq").unwrap_or(0),
                        behind: r.get("lane_head"),
                    }),
                })
            })
            .collect())
    }

    /// The jobs of the heads of FIFO lanes (each lane's pending delivery numbered lowest),
    /// once the delivery before them is done; their due time becomes now, so the sweeper
    /// does not send them again meanwhile. A head due later (it has a retry or a parked job
    /// of its own on the way) is left to that job. One index probe per lane.
    #[tracing::instrument(name = "DeliveryRepo::lane_heads", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn lane_heads(
        client: &impl GenericClient,
        lanes: &[i64],
    ) -> Result<Vec<DeliveryJob>, tokio_postgres::Error> {
        let stmt = client
            .prepare_cached(
                "UPDATE deliveries d SET next_attempt_at = now() \
                 FROM unnest($1::int8[]) AS l(id) CROSS JOIN LATERAL ( \
                   SELECT id, next_attempt_at FROM deliveries \
                   WHERE lane_id = l.id AND status = 'pending' ORDER BY lane_seq LIMIT 1 \
                 ) h, events e \
                 WHERE d.id = h.id AND h.next_attempt_at <= now() + interval '1 second' \
                   AND e.id = d.event_id AND d.status = 'pending' \
                 RETURNING d.id, d.attempts, e.trace_context, d.tenant_id, d.webhook_id",
            )
            .await?;
        let rows = client.query(&stmt, &[&lanes]).await?;
        Ok(rows.iter().map(job_of).collect())
    }

    /// Marks pending deliveries cancelled (their webhook was deleted or disabled).
    #[tracing::instrument(name = "DeliveryRepo::cancel", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn cancel(
        client: &impl GenericClient,
        ids: &[Uuid],
    ) -> Result<u64, tokio_postgres::Error> {
        client
            .execute(
                "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = now() \
                 WHERE id = ANY($1) AND status = 'pending'",
                &[&ids],
            )
            .await
    }

    /// The sweeper's round: when this process holds the sweeper lock, claims up to `limit`
    /// pending deliveries whose job is overdue by `grace_secs` (never published, or lost),
    /// leases them by moving their due time 3 grace periods ahead (so a job that waits in a
    /// long queue is not republished again and again), and returns their jobs. `None` when
    /// another sweeper holds the lock.
    #[tracing::instrument(name = "DeliveryRepo::sweep_overdue", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn sweep_overdue(
        client: &mut deadpool_postgres::Client,
        grace_secs: u64,
        limit: i64,
    ) -> Result<Option<Vec<DeliveryJob>>, tokio_postgres::Error> {
        let tx = plain_index_scans(client).await?;
        let locked: bool = tx
            .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&SWEEPER_LOCK_KEY])
            .await?
            .get(0);
        if !locked {
            return Ok(None);
        }
        let grace = i64::try_from(grace_secs).unwrap_or(i64::MAX);
        let rows = tx
            .query(
                "UPDATE deliveries d SET next_attempt_at = now() + make_interval(secs => $1 * 3) \
                 FROM (SELECT id FROM deliveries p WHERE status = 'pending' \
                         AND next_attempt_at < now() - make_interval(secs => $1) \
                         AND (lane_id IS NULL OR NOT EXISTS ( \
                           SELECT 1 FROM deliveries h WHERE h.lane_id = p.lane_id \
                             AND h.status = 'pending' AND h.lane_seq < p.lane_seq)) \
                       ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due, events e \
                 WHERE d.id = due.id AND e.id = d.event_id \
                 RETURNING d.id, d.attempts, e.trace_context, d.tenant_id, d.webhook_id",
                &[&(grace as f64), &limit],
            )
            .await?;
        tx.commit().await?;
        Ok(Some(rows.iter().map(job_of).collect()))
    }

    /// Moves the due time of pending deliveries the dispatcher parked to when they come
    /// back (never earlier than it was), so the sweeper leaves them alone until then.
    /// `postponed` is sorted by delivery (one lock order).
    #[tracing::instrument(name = "DeliveryRepo::postpone", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn postpone(
        client: &impl GenericClient,
        postponed: &[(Uuid, DateTime<Utc>)],
    ) -> Result<(), tokio_postgres::Error> {
        let ids: Vec<Uuid> = postponed.iter().map(|(id, _)| *id).collect();
        let due: Vec<DateTime<Utc>> = postponed.iter().map(|(_, at)| *at).collect();
        let stmt = client
            .prepare_cached(
                "UPDATE deliveries d SET next_attempt_at = GREATEST(d.next_attempt_at, p.due) \
                 FROM unnest($1::uuid[], $2::timestamptz[]) AS p(id, due) \
                 WHERE d.id = p.id AND d.status = 'pending'",
            )
            .await?;
        client.execute(&stmt, &[&ids, &due]).await.map(drop)
    }

    /// Due pending deliveries and how late the oldest is, for the backlog gauges (those in
    /// FIFO lanes wait their turn there: `LaneRepo::backlog`).
    #[tracing::instrument(name = "DeliveryRepo::backlog", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn backlog(
        client: &mut deadpool_postgres::Client,
    ) -> Result<(i64, f64), tokio_postgres::Error> {
        let tx = plain_index_scans(client).await?;
        let row = tx
            .query_one(
                "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at))::float8, 0) \
                 FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now() AND lane_id IS NULL",
                &[],
            )
            .await?;
        tx.commit().await?;
        Ok((row.get(0), row.get(1)))
    }

    /// The deliveries of one event of the tenant.
    #[tracing::instrument(name = "DeliveryRepo::for_event", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn for_event(
        client: &impl GenericClient,
        tenant_id: Uuid,
        event_id: Uuid,
    ) -> Result<Vec<DeliverySummary>, DbError> {
        let rows = client
            .query(
                &format!(
                    "SELECT {SUMMARY_COLUMNS} FROM deliveries d WHERE d.event_id = $1 AND d.tenant_id = $2 \
                     ORDER BY d.created_at, d.id"
                ),
                &[&event_id, &tenant_id],
            )
            .await?;
        Ok(rows.iter().map(summary).collect::<Result<_, _>>()?)
    }

    /// One delivery of the tenant.
    #[tracing::instrument(name = "DeliveryRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<DeliverySummary>, DbError> {
        let row = client
            .query_opt(
                &format!(
                    "SELECT {SUMMARY_COLUMNS} FROM deliveries d WHERE d.id = $1 AND d.tenant_id = $2"
                ),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.as_ref().map(summary).transpose()?)
    }

    /// Puts a finished delivery back to pending for a fresh round of attempts (replay),
    /// at the end of its lane when its webhook is FIFO, committed by this one statement; returns its job to publish, or `None` when it does
    /// not exist or is still pending.
    #[tracing::instrument(name = "DeliveryRepo::replay", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn replay(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Unpublished<()>>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                &format!(
                    "WITH matched AS ( \
                       SELECT d.id, d.tenant_id, d.webhook_id, COALESCE(w.ordering = 'fifo', false) AS fifo, \
                              COALESCE(e.ordering_key, '') AS lane_key, 1 AS ord \
                       FROM deliveries d JOIN events e ON e.id = d.event_id \
                       LEFT JOIN webhooks w ON w.id = d.webhook_id \
                       WHERE d.id = $1 AND d.tenant_id = $2 AND d.status <> 'pending' \
                     ), {LANES_CTE}, {} \
                     RETURNING d.attempts, e.trace_context, d.webhook_id",
                    replay_update()
                ),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.map(|r| {
            let endpoint = Endpoint {
                tenant_id,
                webhook_id: r.get(2),
            };
            Unpublished::new(
                (),
                vec![DeliveryJob::after_recorded(id, r.get(0), r.get(1)).to(endpoint)],
            )
        }))
    }

    /// One page of the tenant's deliveries, newest first.
    #[tracing::instrument(name = "DeliveryRepo::list", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list(
        client: &impl GenericClient,
        tenant_id: Uuid,
        q: &DeliveryListQuery,
    ) -> Result<(Vec<DeliverySummary>, Option<String>), ListError> {
        const ORDERING: &str = "deliveries_created_desc";
        let after = time_cursor(q.cursor.as_deref(), ORDERING)?;
        let status = q.status.map(|s| s.as_str().to_string());
        let event_type = q.event_type.as_ref().map(|t| t.as_str().to_string());
        let fetch = q.limit + 1;
        let mut f = Filters::default();
        let tenant = f.bind(&tenant_id);
        f.and(format!("d.tenant_id = {tenant}"));
        f.and_if(&q.webhook_id, |p| format!("d.webhook_id = {p}"));
        f.and_if(&q.event_id, |p| format!("d.event_id = {p}"));
        f.and_if(&status, |p| format!("d.status = {p}"));
        f.and_if(&event_type, |p| {
            format!(
                "EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id AND {})",
                pattern_covers_sql(&format!("{p}::text"), "e.event_type")
            )
        });
        f.and_if(&q.since, |p| format!("d.created_at >= {p}"));
        f.and_if(&q.until, |p| format!("d.created_at < {p}"));
        if let Some((key, id)) = &after {
            let (k, i) = (f.bind(key), f.bind(id));
            f.and(format!("(d.created_at, d.id) < ({k}, {i})"));
        }
        let limit = f.bind(&fetch);
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, d.created_at::text AS sort_key FROM deliveries d \
             WHERE {} ORDER BY d.created_at DESC, d.id DESC LIMIT {limit}",
            f.where_sql()
        );
        let rows = client.query(&sql, f.params()).await?;
        let summaries = rows
            .iter()
            .map(|r| Ok((summary(r)?, r.get::<_, String>("sort_key"))))
            .collect::<Result<Vec<(DeliverySummary, String)>, CorruptValue>>()?;
        let (page, next) = split_page(summaries, q.limit, |(d, key)| Cursor {
            ordering: ORDERING.to_string(),
            key: key.clone(),
            id: d.id.to_string(),
        });
        Ok((page.into_iter().map(|(d, _)| d).collect(), next))
    }
}
