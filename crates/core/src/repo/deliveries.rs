//! The `deliveries` and `delivery_attempts` tables: what the dispatcher reads before an
//! attempt and writes after it, the sweeper's view of due work, and the delivery log.

use chrono::{DateTime, Utc};
use hookrelay_domain::delivery::{
    DeliveryJob, DeliveryStatus, DispatchContext, EventContent, WebhookState, WebhookTarget,
};
use hookrelay_domain::{CorruptValue, CustomHeaders, PayloadFormat, WebhookSecret, WebhookUrl};
use tokio_postgres::Row;
use uuid::Uuid;

use super::GenericClient;
use crate::db::DbError;
use crate::outbox::Unpublished;
use crate::report::ErrorChain;

/// The result of one attempt, to be recorded.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub delivery_id: Uuid,
    pub tenant_id: Uuid,
    pub attempt_no: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub response_code: Option<i32>,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub succeeded: bool,
    /// The delivery's status after this attempt.
    pub new_status: DeliveryStatus,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// A delivery as the API shows it.
#[derive(Debug, Clone)]
pub struct DeliverySummary {
    pub id: Uuid,
    pub event_id: Uuid,
    pub webhook_id: Uuid,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_response_code: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// One logged attempt.
#[derive(Debug, Clone)]
pub struct AttemptLog {
    pub attempt_no: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub response_code: Option<i32>,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub succeeded: bool,
}

/// Arbitrary but fixed advisory lock key: one sweeper at a time.
const SWEEPER_LOCK_KEY: i64 = 0x686f_6f6b_7265_6c02;

const SUMMARY_COLUMNS: &str = "id, event_id, webhook_id, status, attempts, next_attempt_at, \
                               last_attempt_at, last_response_code, created_at, completed_at";

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
        attempts: row.get("attempts"),
        next_attempt_at: row.get("next_attempt_at"),
        last_attempt_at: row.get("last_attempt_at"),
        last_response_code: row.get("last_response_code"),
        created_at: row.get("created_at"),
        completed_at: row.get("completed_at"),
    })
}

/// Reads the webhook columns of a dispatch row: a row that does not parse is reported
/// (error log, `hookrelay_corrupt_rows_total`) and becomes [`WebhookState::Corrupt`].
fn webhook_state(row: &Row) -> WebhookState {
    if !row.get::<_, bool>("has_webhook") {
        return WebhookState::Deleted;
    }
    if !row.get::<_, bool>("enabled") {
        return WebhookState::Disabled;
    }
    let parsed = (|| {
        Ok::<_, CorruptValue>(WebhookTarget {
            url: WebhookUrl::parse(row.get("url"))
                .map_err(|e| CorruptValue::new("webhook url", e.message))?,
            payload_format: PayloadFormat::from_stored(row.get("payload_format"))?,
            headers: CustomHeaders::from_stored(row.get("headers"))?,
            secret: WebhookSecret::from_stored(row.get("secret"))?,
            previous_secret: row
                .get::<_, Option<&str>>("previous_secret")
                .map(WebhookSecret::from_stored)
                .transpose()?,
        })
    })();
    match parsed {
        Ok(target) => WebhookState::Active(target),
        Err(corrupt) => {
            let webhook_id: Uuid = row.get("webhook_id");
            report_corrupt("webhooks", webhook_id, &corrupt);
            WebhookState::Corrupt(corrupt)
        }
    }
}

/// Logs and counts a stored row that does not parse.
pub(crate) fn report_corrupt(table: &'static str, id: impl std::fmt::Display, e: &CorruptValue) {
    tracing::error!(table, id = %id, error = %ErrorChain(e), "corrupt row");
    metrics::counter!("hookrelay_corrupt_rows_total", "table" => table).increment(1);
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
    ) -> Result<Vec<DispatchContext>, tokio_postgres::Error> {
        let stmt = client
            .prepare_cached(
                "SELECT d.id, d.tenant_id, d.status, d.attempts, d.event_id, d.webhook_id, d.created_at, \
                        e.event_type, e.data, e.occurred_at, \
                        w.id IS NOT NULL AS has_webhook, w.url, w.enabled, w.payload_format, w.headers, \
                        w.secret, CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END AS previous_secret \
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
                    status,
                    attempts: u32::try_from(r.get::<_, i32>("attempts")).unwrap_or(0),
                    created_at: r.get("created_at"),
                    event: EventContent {
                        id: r.get("event_id"),
                        event_type: r.get("event_type"),
                        data: r.get("data"),
                        occurred_at: r.get("occurred_at"),
                    },
                    webhook: webhook_state(r),
                })
            })
            .collect())
    }

    /// Records attempts and the resulting delivery states in one statement (which also
    /// touches the webhooks' coarse `last_execution_at`, at most once a second), and returns
    /// the deliveries whose attempt was applied. An attempt already recorded (a duplicate
    /// job, maybe from another dispatcher) changes nothing and is not returned.
    #[tracing::instrument(name = "DeliveryRepo::record_attempts", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn record_attempts(
        tx: &impl GenericClient,
        records: &[AttemptRecord],
    ) -> Result<Vec<Uuid>, tokio_postgres::Error> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let stmt = tx
            .prepare_cached(
                "WITH input AS ( \
                   SELECT * FROM unnest($1::uuid[], $2::int4[], $3::uuid[], $4::timestamptz[], $5::int4[], \
                                        $6::int4[], $7::text[], $8::text[], $9::bool[], $10::text[], $11::timestamptz[]) \
                     AS t(delivery_id, attempt_no, tenant_id, started_at, duration_ms, response_code, \
                          response_body, error, succeeded, new_status, next_attempt_at) \
                 ), ins AS ( \
                   INSERT INTO delivery_attempts (delivery_id, attempt_no, tenant_id, started_at, duration_ms, \
                                                  response_code, response_body, error, succeeded) \
                   SELECT delivery_id, attempt_no, tenant_id, started_at, duration_ms, response_code, \
                          response_body, error, succeeded FROM input \
                   ON CONFLICT DO NOTHING RETURNING delivery_id, attempt_no \
                 ), applied AS ( \
                   UPDATE deliveries d SET status = i.new_status, attempts = i.attempt_no, \
                          next_attempt_at = i.next_attempt_at, last_attempt_at = i.started_at, \
                          last_response_code = i.response_code, \
                          completed_at = CASE WHEN i.new_status <> 'pending' THEN now() END \
                   FROM input i JOIN ins USING (delivery_id, attempt_no) \
                   WHERE d.id = i.delivery_id AND d.status = 'pending' \
                   RETURNING d.id, d.webhook_id \
                 ), touched AS ( \
                   UPDATE webhooks SET last_execution_at = now() \
                   WHERE id IN (SELECT webhook_id FROM applied) \
                     AND (last_execution_at IS NULL OR last_execution_at < now() - interval '1 second') \
                 ) \
                 SELECT id FROM applied",
            )
            .await?;
        let ids: Vec<Uuid> = records.iter().map(|r| r.delivery_id).collect();
        let attempt_nos: Vec<i32> = records.iter().map(|r| r.attempt_no).collect();
        let tenants: Vec<Uuid> = records.iter().map(|r| r.tenant_id).collect();
        let started: Vec<DateTime<Utc>> = records.iter().map(|r| r.started_at).collect();
        let durations: Vec<i32> = records.iter().map(|r| r.duration_ms).collect();
        let codes: Vec<Option<i32>> = records.iter().map(|r| r.response_code).collect();
        let bodies: Vec<Option<&str>> =
            records.iter().map(|r| r.response_body.as_deref()).collect();
        let errors: Vec<Option<&str>> = records.iter().map(|r| r.error.as_deref()).collect();
        let succeeded: Vec<bool> = records.iter().map(|r| r.succeeded).collect();
        let statuses: Vec<&str> = records.iter().map(|r| r.new_status.as_str()).collect();
        let next: Vec<Option<DateTime<Utc>>> = records.iter().map(|r| r.next_attempt_at).collect();
        let applied = tx
            .query(
                &stmt,
                &[
                    &ids,
                    &attempt_nos,
                    &tenants,
                    &started,
                    &durations,
                    &codes,
                    &bodies,
                    &errors,
                    &succeeded,
                    &statuses,
                    &next,
                ],
            )
            .await?
            .iter()
            .map(|r| r.get::<_, Uuid>(0))
            .collect::<Vec<Uuid>>();
        Ok(applied)
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
        let tx = client.transaction().await?;
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
                 FROM (SELECT id FROM deliveries WHERE status = 'pending' \
                         AND next_attempt_at < now() - make_interval(secs => $1) \
                       ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due, events e \
                 WHERE d.id = due.id AND e.id = d.event_id \
                 RETURNING d.id, d.attempts, e.trace_context",
                &[&(grace as f64), &limit],
            )
            .await?;
        tx.commit().await?;
        Ok(Some(
            rows.iter()
                .map(|r| DeliveryJob::after_recorded(r.get(0), r.get(1), r.get(2)))
                .collect(),
        ))
    }

    /// Due pending deliveries and how late the oldest is, for the backlog gauges.
    #[tracing::instrument(name = "DeliveryRepo::backlog", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn backlog(client: &impl GenericClient) -> Result<(i64, f64), tokio_postgres::Error> {
        let row = client
            .query_one(
                "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at))::float8, 0) \
                 FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()",
                &[],
            )
            .await?;
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
                    "SELECT {SUMMARY_COLUMNS} FROM deliveries WHERE event_id = $1 AND tenant_id = $2 \
                     ORDER BY created_at, id"
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
                    "SELECT {SUMMARY_COLUMNS} FROM deliveries WHERE id = $1 AND tenant_id = $2"
                ),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.as_ref().map(summary).transpose()?)
    }

    /// The attempt log of one delivery of the tenant, oldest first.
    #[tracing::instrument(name = "DeliveryRepo::attempts", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn attempts(
        client: &impl GenericClient,
        tenant_id: Uuid,
        delivery_id: Uuid,
    ) -> Result<Vec<AttemptLog>, tokio_postgres::Error> {
        let rows = client
            .query(
                "SELECT attempt_no, started_at, duration_ms, response_code, response_body, error, succeeded \
                 FROM delivery_attempts WHERE delivery_id = $1 AND tenant_id = $2 ORDER BY attempt_no",
                &[&delivery_id, &tenant_id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AttemptLog {
                attempt_no: r.get(0),
                started_at: r.get(1),
                duration_ms: r.get(2),
                response_code: r.get(3),
                response_body: r.get(4),
                error: r.get(5),
                succeeded: r.get(6),
            })
            .collect())
    }

    /// Puts a finished delivery back to pending for a fresh round of attempts (replay),
    /// committed by this one statement; returns its job to publish, or `None` when it does
    /// not exist or is still pending.
    #[tracing::instrument(name = "DeliveryRepo::replay", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn replay(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Unpublished<()>>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                "UPDATE deliveries d SET status = 'pending', next_attempt_at = now(), completed_at = NULL \
                 FROM events e WHERE d.id = $1 AND d.tenant_id = $2 AND d.status <> 'pending' AND e.id = d.event_id \
                 RETURNING d.attempts, e.trace_context",
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.map(|r| {
            Unpublished::new(
                (),
                vec![DeliveryJob::after_recorded(id, r.get(0), r.get(1))],
            )
        }))
    }
}
