//! The `delivery_attempts` table: every attempt the dispatcher makes and every test send,
//! written through one column list and one binder ([`Columns`]) and read back as
//! [`Attempt`] through one reader ([`attempt_of`]).

use chrono::{DateTime, Utc};
use hookrelay_domain::attempt::{Attempt, AttemptOf, HeaderList};
use hookrelay_domain::delivery::DeliveryStatus;
use hookrelay_domain::payload::build_body;
use hookrelay_domain::{CorruptValue, EventType, PayloadFormat};
use tokio_postgres::types::{Json, ToSql};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{deliveries, stats, webhooks, Filters, GenericClient};
use crate::db::DbError;
use crate::pagination::{split_page, time_cursor, Cursor, ListError};

/// An attempt of a delivery and the delivery's status after it, as the recorder writes it.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub attempt: Attempt,
    pub new_status: DeliveryStatus,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl AttemptRecord {
    /// The delivery it is an attempt of. Only deliveries' attempts are recorded this way
    /// (a test send is logged by [`AttemptRepo::log_test`]); for one it would be nil.
    pub fn delivery_id(&self) -> Uuid {
        self.attempt.delivery_id().unwrap_or_default()
    }
}

/// One row of a webhook's log: an attempt and the exact body it sent (a test send's as
/// kept, a delivery's rebuilt from its event; `None`: nothing was sent, or the event is
/// gone).
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub attempt: Attempt,
    pub body: Option<String>,
}

/// Filters and page of a webhook's log.
#[derive(Debug, Default)]
pub struct WebhookLogQuery {
    /// `Some(true)`: only successful attempts; `Some(false)`: only failed ones.
    pub succeeded: Option<bool>,
    pub event_type: Option<EventType>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
    pub cursor: Option<String>,
    /// Attempts to leave out (a live stream's already sent ones).
    pub exclude: Vec<Uuid>,
}

/// The columns of an attempt with their SQL types, in the order of [`Columns::params`].
const COLUMNS: [(&str, &str); 19] = [
    ("id", "uuid"),
    ("delivery_id", "uuid"),
    ("attempt_no", "int4"),
    ("tenant_id", "uuid"),
    ("webhook_id", "uuid"),
    ("event_id", "uuid"),
    ("event_type", "text"),
    ("payload_format", "text"),
    ("started_at", "timestamptz"),
    ("duration_ms", "int4"),
    ("response_code", "int4"),
    ("response_body", "text"),
    ("error", "text"),
    ("succeeded", "bool"),
    ("retry_after_secs", "int4"),
    ("test", "bool"),
    ("payload", "text"),
    ("request_headers", "jsonb"),
    ("response_headers", "jsonb"),
];

/// `a.id, a.delivery_id, ...`: the columns [`attempt_of`] reads, of `delivery_attempts a`.
fn read_columns() -> String {
    COLUMNS
        .iter()
        .map(|(name, _)| format!("a.{name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn column_names() -> String {
    COLUMNS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `unnest($1::uuid[], ...) AS t(id, ...)` over [`Columns::params`] and then `extra`
/// arrays (bound after them).
fn unnest(extra: &[(&str, &str)]) -> String {
    let all: Vec<&(&str, &str)> = COLUMNS.iter().chain(extra).collect();
    let arrays = all
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| format!("${}::{ty}[]", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let names = all
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ");
    format!("unnest({arrays}) AS t({names})")
}

/// Attempts as column arrays, one per entry of [`COLUMNS`].
#[derive(Default)]
struct Columns<'a> {
    id: Vec<Uuid>,
    delivery_id: Vec<Option<Uuid>>,
    attempt_no: Vec<i32>,
    tenant_id: Vec<Uuid>,
    webhook_id: Vec<Uuid>,
    event_id: Vec<Option<Uuid>>,
    event_type: Vec<&'a str>,
    payload_format: Vec<Option<&'static str>>,
    started_at: Vec<DateTime<Utc>>,
    duration_ms: Vec<i32>,
    response_code: Vec<Option<i32>>,
    response_body: Vec<Option<&'a str>>,
    error: Vec<Option<&'a str>>,
    succeeded: Vec<bool>,
    retry_after_secs: Vec<Option<i32>>,
    test: Vec<bool>,
    payload: Vec<Option<&'a str>>,
    request_headers: Vec<Option<Json<&'a HeaderList>>>,
    response_headers: Vec<Option<Json<&'a HeaderList>>>,
}

impl<'a> Columns<'a> {
    fn of(attempts: impl IntoIterator<Item = &'a Attempt>) -> Self {
        let mut c = Self::default();
        for a in attempts {
            c.id.push(a.id);
            c.delivery_id.push(a.delivery_id());
            c.attempt_no.push(a.number());
            c.tenant_id.push(a.tenant_id);
            c.webhook_id.push(a.webhook_id);
            c.event_id.push(a.event_id());
            c.event_type.push(&a.event_type);
            c.payload_format
                .push(a.payload_format.map(PayloadFormat::as_str));
            c.started_at.push(a.started_at);
            c.duration_ms.push(a.duration_ms);
            c.response_code.push(a.response_code);
            c.response_body.push(a.response_body.as_deref());
            c.error.push(a.error.as_deref());
            c.succeeded.push(a.succeeded);
            c.retry_after_secs.push(a.retry_after_secs);
            c.test.push(a.is_test());
            c.payload.push(match &a.of {
                AttemptOf::Test { payload } => Some(payload),
                AttemptOf::Delivery { .. } => None,
            });
            c.request_headers.push(a.request_headers.as_ref().map(Json));
            c.response_headers
                .push(a.response_headers.as_ref().map(Json));
        }
        c
    }

    fn params(&self) -> [&(dyn ToSql + Sync); COLUMNS.len()] {
        [
            &self.id,
            &self.delivery_id,
            &self.attempt_no,
            &self.tenant_id,
            &self.webhook_id,
            &self.event_id,
            &self.event_type,
            &self.payload_format,
            &self.started_at,
            &self.duration_ms,
            &self.response_code,
            &self.response_body,
            &self.error,
            &self.succeeded,
            &self.retry_after_secs,
            &self.test,
            &self.payload,
            &self.request_headers,
            &self.response_headers,
        ]
    }
}

/// Reads an attempt from the columns of [`read_columns`].
fn attempt_of(r: &Row) -> Result<Attempt, CorruptValue> {
    let of = if r.get("test") {
        AttemptOf::Test {
            payload: r.get::<_, Option<String>>("payload").unwrap_or_default(),
        }
    } else {
        match (r.get("delivery_id"), r.get("event_id")) {
            (Some(delivery_id), Some(event_id)) => AttemptOf::Delivery {
                delivery_id,
                event_id,
                number: r.get("attempt_no"),
            },
            _ => {
                return Err(CorruptValue::new(
                    "delivery attempt",
                    "an attempt without its delivery or event",
                ))
            }
        }
    };
    Ok(Attempt {
        id: r.get("id"),
        tenant_id: r.get("tenant_id"),
        webhook_id: r.get("webhook_id"),
        of,
        event_type: r.get("event_type"),
        payload_format: r
            .get::<_, Option<&str>>("payload_format")
            .map(PayloadFormat::from_stored)
            .transpose()?,
        started_at: r.get("started_at"),
        duration_ms: r.get("duration_ms"),
        response_code: r.get("response_code"),
        response_body: r.get("response_body"),
        error: r.get("error"),
        succeeded: r.get("succeeded"),
        retry_after_secs: r.get("retry_after_secs"),
        request_headers: headers_of(r, "request_headers")?,
        response_headers: headers_of(r, "response_headers")?,
    })
}

/// SQL subquery of `column` of the latest attempt (not a test send) of the webhook whose
/// id is the SQL expression `webhook` (one index range of `delivery_attempts_webhook`).
pub(super) fn latest_attempt_sql(column: &str, webhook: &str) -> String {
    format!(
        "(SELECT a.{column} FROM delivery_attempts a WHERE a.webhook_id = {webhook} AND NOT a.test \
         ORDER BY a.started_at DESC, a.id DESC LIMIT 1)"
    )
}

/// Reads a header list column.
fn headers_of(r: &Row, column: &'static str) -> Result<Option<HeaderList>, CorruptValue> {
    r.get::<_, Option<serde_json::Value>>(column)
        .map(|v| serde_json::from_value(v).map_err(|e| CorruptValue::new(column, e.to_string())))
        .transpose()
}

/// Reads and writes attempts.
pub struct AttemptRepo;

impl AttemptRepo {
    /// Records attempts of deliveries in one statement: inserts them, moves each pending
    /// delivery to its attempt's outcome, adds them to the per-minute stats and touches
    /// their webhooks (`webhooks::touch_cte`). Returns the deliveries whose attempt was
    /// applied: an attempt already recorded (a duplicate job, maybe from another
    /// dispatcher) changes nothing and is not returned.
    #[tracing::instrument(name = "AttemptRepo::record", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn record(
        tx: &impl GenericClient,
        records: &[AttemptRecord],
    ) -> Result<Vec<Uuid>, tokio_postgres::Error> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let outcome = [
            ("new_status", "text"),
            ("next_attempt_at", "timestamptz"),
            ("bucket", "int4"),
        ];
        let stmt = tx
            .prepare_cached(&format!(
                "WITH input AS (SELECT * FROM {unnest}), \
                 ins AS ( \
                   INSERT INTO delivery_attempts ({columns}) SELECT {columns} FROM input \
                   ON CONFLICT DO NOTHING RETURNING delivery_id, attempt_no \
                 ), {rollup}, {settle}, {touch} \
                 SELECT id FROM applied",
                unnest = unnest(&outcome),
                columns = column_names(),
                rollup = stats::rollup_cte("input", "ins"),
                settle = deliveries::settle_cte("input", "ins"),
                touch = webhooks::touch_cte("input", "ins"),
            ))
            .await?;
        let columns = Columns::of(records.iter().map(|r| &r.attempt));
        let statuses: Vec<&str> = records.iter().map(|r| r.new_status.as_str()).collect();
        let next: Vec<Option<DateTime<Utc>>> = records.iter().map(|r| r.next_attempt_at).collect();
        let buckets: Vec<i32> = records
            .iter()
            .map(|r| stats::duration_bucket(r.attempt.duration_ms))
            .collect();
        let mut params: Vec<&(dyn ToSql + Sync)> = columns.params().to_vec();
        params.extend([
            &statuses as &(dyn ToSql + Sync),
            &next as &(dyn ToSql + Sync),
            &buckets as &(dyn ToSql + Sync),
        ]);
        let applied = tx
            .query(&stmt, &params)
            .await?
            .iter()
            .map(|r| r.get::<_, Uuid>(0))
            .collect();
        Ok(applied)
    }

    /// Logs a test send in its webhook's log.
    #[tracing::instrument(name = "AttemptRepo::log_test", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn log_test(
        client: &impl GenericClient,
        attempt: &Attempt,
    ) -> Result<(), tokio_postgres::Error> {
        let columns = Columns::of([attempt]);
        client
            .execute(
                &format!(
                    "INSERT INTO delivery_attempts ({}) SELECT * FROM {}",
                    column_names(),
                    unnest(&[])
                ),
                &columns.params(),
            )
            .await?;
        Ok(())
    }

    /// The attempts of one delivery of the tenant, oldest first.
    #[tracing::instrument(name = "AttemptRepo::of_delivery", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn of_delivery(
        client: &impl GenericClient,
        tenant_id: Uuid,
        delivery_id: Uuid,
    ) -> Result<Vec<Attempt>, DbError> {
        let rows = client
            .query(
                &format!(
                    "SELECT {} FROM delivery_attempts a \
                     WHERE a.delivery_id = $1 AND a.tenant_id = $2 ORDER BY a.attempt_no",
                    read_columns()
                ),
                &[&delivery_id, &tenant_id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(attempt_of)
            .collect::<Result<_, CorruptValue>>()?)
    }

    /// One page of a webhook's log (attempts and test sends), newest first. Reads one
    /// range of the `(webhook_id, started_at DESC, id DESC)` index; the bodies of real
    /// attempts are rebuilt from their events (bodies are deterministic).
    #[tracing::instrument(name = "AttemptRepo::webhook_log", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn webhook_log(
        client: &impl GenericClient,
        tenant_id: Uuid,
        webhook_id: Uuid,
        q: &WebhookLogQuery,
        cloudevents_source: &str,
    ) -> Result<(Vec<LogEntry>, Option<String>), ListError> {
        const ORDERING: &str = "log_started_desc";
        let after = time_cursor(q.cursor.as_deref(), ORDERING)?;
        let event_type = q.event_type.as_ref().map(|t| t.as_str().to_string());
        let fetch = q.limit + 1;
        let mut f = Filters::default();
        let webhook = f.bind(&webhook_id);
        let tenant = f.bind(&tenant_id);
        f.and(format!(
            "a.webhook_id = {webhook} AND a.tenant_id = {tenant}"
        ));
        f.and_if(&q.succeeded, |p| format!("a.succeeded = {p}"));
        f.and_if(&event_type, |p| format!("a.event_type = {p}"));
        f.and_if(&q.since, |p| format!("a.started_at >= {p}"));
        f.and_if(&q.until, |p| format!("a.started_at < {p}"));
        if !q.exclude.is_empty() {
            let sent = f.bind(&q.exclude);
            f.and(format!("a.id <> ALL({sent})"));
        }
        if let Some((key, id)) = &after {
            let (k, i) = (f.bind(key), f.bind(id));
            f.and(format!("(a.started_at, a.id) < ({k}, {i})"));
        }
        let limit = f.bind(&fetch);
        let sql = format!(
            "SELECT {}, e.data, e.occurred_at, a.started_at::text AS sort_key \
             FROM delivery_attempts a LEFT JOIN events e ON e.id = a.event_id \
             WHERE {} ORDER BY a.started_at DESC, a.id DESC LIMIT {limit}",
            read_columns(),
            f.where_sql()
        );
        let rows = client.query(&sql, f.params()).await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok((
                    log_entry(r, cloudevents_source)?,
                    r.get::<_, String>("sort_key"),
                ))
            })
            .collect::<Result<Vec<(LogEntry, String)>, CorruptValue>>()?;
        let (page, next) = split_page(entries, q.limit, |(e, key)| Cursor {
            ordering: ORDERING.to_string(),
            key: key.clone(),
            id: e.attempt.id.to_string(),
        });
        Ok((page.into_iter().map(|(e, _)| e).collect(), next))
    }
}

/// Reads a log row; a real attempt's body is rebuilt from its event (CloudEvents bodies
/// with the installation's `source`).
fn log_entry(r: &Row, source: &str) -> Result<LogEntry, CorruptValue> {
    let attempt = attempt_of(r)?;
    let body = match &attempt.of {
        AttemptOf::Test { payload } => Some(payload.clone()),
        AttemptOf::Delivery { event_id, .. } => {
            let data: Option<&str> = r.get("data");
            let occurred_at: Option<DateTime<Utc>> = r.get("occurred_at");
            match (attempt.payload_format, data, occurred_at) {
                (Some(format), Some(data), Some(at)) => Some(
                    String::from_utf8(build_body(
                        format,
                        &attempt.event_type,
                        *event_id,
                        attempt.webhook_id,
                        at,
                        data,
                        source,
                    ))
                    .map_err(|e| CorruptValue::new("event data", e.to_string()))?,
                ),
                _ => None,
            }
        }
    };
    Ok(LogEntry { attempt, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binder_binds_every_column_in_order() {
        let attempt = Attempt::unsent(
            Uuid::nil(),
            Uuid::nil(),
            AttemptOf::Test {
                payload: "{}".into(),
            },
            "webhook.test".into(),
            Utc::now(),
        );
        let columns = Columns::of([&attempt]);
        assert_eq!(columns.params().len(), COLUMNS.len());
        assert!(unnest(&[("x", "int4")]).starts_with("unnest($1::uuid[], $2::uuid[], $3::int4[]"));
        assert!(unnest(&[("x", "int4")]).contains("$20::int4[]) AS t(id, delivery_id,"));
        assert!(unnest(&[("x", "int4")])
            .ends_with("test, payload, request_headers, response_headers, x)"));
    }
}
