//! The `events` table and the fan-out into `deliveries`, in the caller's transaction.

use chrono::{DateTime, Utc};
use hookrelay_domain::flow::Endpoint;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use hookrelay_domain::delivery::DeliveryJob;
use hookrelay_domain::ordering::OrderingKey;
use hookrelay_domain::EventType;

use super::event_types::SEEN_CTE;
use super::lanes::{LANES_CTE, LANE_JOIN, LANE_NUMBERS};
use super::GenericClient;
use crate::db::DbError;
use crate::fanout::pattern_match_sql;
use crate::outbox::Unpublished;
use crate::pagination::{cursor_uuid, split_page, Cursor, ListError};

/// A validated event to record.
#[derive(Debug)]
pub struct NewEvent {
    pub event_type: EventType,
    /// Canonical JSON text of the data (see `hookrelay_domain::payload::canonical_data`).
    pub data: String,
    pub occurred_at: DateTime<Utc>,
    pub idempotency_key: Option<String>,
    pub traceparent: Option<String>,
    /// Orders its deliveries on FIFO webhooks among the events of the same key (`None`:
    /// one lane per webhook).
    pub ordering_key: Option<OrderingKey>,
}

/// What recording an event produced.
#[derive(Debug)]
pub struct IngestedEvent {
    pub id: Uuid,
    pub deliveries: i64,
    /// True when the idempotency key matched an earlier event; nothing new was created.
    pub replayed: bool,
}

/// The caps an event from a tenant's API call must keep (`limits.*`); hookrelay's own
/// events (`webhook.disabled`, posts' status events) have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestCaps {
    /// Event types the tenant's catalogue may hold: an event of a new type beyond it is
    /// refused (the events of one statement are counted against the catalogue as it was
    /// before it).
    pub event_types: i64,
    /// Deliveries one event may fan out to; `None`: not checked (the webhooks a tenant may
    /// have already bound it).
    pub deliveries: Option<i64>,
}

impl IngestCaps {
    pub const NONE: IngestCaps = IngestCaps {
        event_types: i64::MAX,
        deliveries: None,
    };
}

/// A cap an event would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapReached {
    /// Its type is new and the tenant's catalogue is full.
    EventTypes,
    /// It would fan out to more deliveries than allowed.
    Deliveries,
}

/// The answer for one event of [`EventRepo::ingest_many`].
pub type Ingested = Result<Unpublished<IngestedEvent>, CapReached>;

/// An event as stored.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: Uuid,
    pub event_type: String,
    pub data: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub idempotency_key: Option<String>,
    pub ordering_key: Option<String>,
}

/// Filters and page of an event list.
#[derive(Debug, Default)]
pub struct EventListQuery {
    pub event_type: Option<EventType>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
    pub cursor: Option<String>,
}

const COLUMNS: &str =
    "id, event_type, data, occurred_at, created_at, idempotency_key, ordering_key";

fn from_row(row: &Row) -> EventRecord {
    EventRecord {
        id: row.get("id"),
        event_type: row.get("event_type"),
        data: row.get("data"),
        occurred_at: row.get("occurred_at"),
        created_at: row.get("created_at"),
        idempotency_key: row.get("idempotency_key"),
        ordering_key: row.get("ordering_key"),
    }
}

/// Reads and writes events.
pub struct EventRepo;

impl EventRepo {
    /// Records an event and one pending delivery per enabled webhook of the tenant whose
    /// patterns match, atomically (one statement; callers may wrap it in their transaction).
    /// The new deliveries' jobs come back [`Unpublished`], for the outbox.
    pub async fn ingest(
        client: &impl GenericClient,
        tenant_id: Uuid,
        event: &NewEvent,
    ) -> Result<Unpublished<IngestedEvent>, DbError> {
        let mut ingested =
            Self::ingest_many(client, &[(tenant_id, event)], IngestCaps::NONE).await?;
        match ingested.pop() {
            Some(Ok(recorded)) => Ok(recorded),
            // Without caps nothing is refused: this would be a bug, said loudly.
            _ => Err(DbError::Corrupt(hookrelay_domain::CorruptValue::new(
                "ingest",
                "an event without caps was not recorded",
            ))),
        }
    }

    /// [`EventRepo::ingest`] for many events (of any tenants) in one statement: every event
    /// and its deliveries commit together. Answers in input order; an event that would pass
    /// one of `caps` is not recorded and answers which.
    #[tracing::instrument(name = "EventRepo::ingest_many", skip_all, fields(otel.kind = "client", db.system = "postgresql", events = events.len()))]
    pub async fn ingest_many(
        client: &impl GenericClient,
        events: &[(Uuid, &NewEvent)],
        caps: IngestCaps,
    ) -> Result<Vec<Ingested>, tokio_postgres::Error> {
        let ids: Vec<Uuid> = events.iter().map(|_| Uuid::now_v7()).collect();
        let tenants: Vec<Uuid> = events.iter().map(|(t, _)| *t).collect();
        let types: Vec<&str> = events.iter().map(|(_, e)| e.event_type.as_str()).collect();
        let data: Vec<&str> = events.iter().map(|(_, e)| e.data.as_str()).collect();
        let occurred: Vec<DateTime<Utc>> = events.iter().map(|(_, e)| e.occurred_at).collect();
        let keys: Vec<Option<&str>> = events
            .iter()
            .map(|(_, e)| e.idempotency_key.as_deref())
            .collect();
        let traces: Vec<Option<&str>> = events
            .iter()
            .map(|(_, e)| e.traceparent.as_deref())
            .collect();
        let ordering_keys: Vec<Option<&str>> = events
            .iter()
            .map(|(_, e)| e.ordering_key.as_ref().map(OrderingKey::as_str))
            .collect();
        // One round trip: the events, then one delivery per (event, enabled webhook of its
        // tenant whose patterns match). An idempotency key already used inserts nothing.
        // The webhooks are looked up per event through the tenant index (`OFFSET 0` keeps
        // the planner from turning the lookup into a scan of every tenant's webhooks).
        // The catalogue is counted only for an event of a new type (`OFFSET 0` again: a
        // filter on `input` itself would run before the anti-joins, counting a tenant's
        // whole catalogue — up to `limits.event_types_per_tenant` rows — for every event).
        // A FIFO webhook's deliveries are numbered in their lane (webhook, ordering key):
        // the upsert locks each lane row until this statement commits, in one order, so
        // a lane's numbers follow the order events commit; within the statement, input
        // order.
        let statement = client
            .prepare_cached(&format!(
                "WITH input AS ( \
                   SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], \
                                        $5::timestamptz[], $6::text[], $7::text[], $10::text[]) \
                     WITH ORDINALITY \
                     AS t(id, tenant_id, event_type, data, occurred_at, idempotency_key, trace_context, \
                          ordering_key, ord) \
                 ), refused AS ( \
                   SELECT n.id, 'event_types'::text AS cap FROM ( \
                     SELECT i.id, i.tenant_id FROM input i \
                     WHERE NOT EXISTS (SELECT 1 FROM event_types t \
                                       WHERE t.tenant_id = i.tenant_id AND t.name = i.event_type) \
                       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = i.tenant_id \
                                       AND e.idempotency_key = i.idempotency_key) \
                     OFFSET 0 \
                   ) n \
                   WHERE (SELECT count(*) FROM event_types t WHERE t.tenant_id = n.tenant_id) >= $8::int8 \
                   UNION ALL \
                   SELECT i.id, 'deliveries'::text FROM input i \
                   WHERE $9::int8 IS NOT NULL \
                     AND NOT EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = i.tenant_id \
                                     AND e.idempotency_key = i.idempotency_key) \
                     AND (SELECT count(*) FROM webhooks \
                          WHERE tenant_id = i.tenant_id AND enabled AND {}) > $9::int8 \
                 ), event AS ( \
                   INSERT INTO events (id, tenant_id, event_type, data, occurred_at, idempotency_key, \
                                       trace_context, ordering_key) \
                   SELECT id, tenant_id, event_type, data, occurred_at, idempotency_key, trace_context, \
                          ordering_key \
                   FROM input WHERE id NOT IN (SELECT id FROM refused) \
                   ON CONFLICT (tenant_id, idempotency_key) DO NOTHING \
                   RETURNING id, tenant_id, event_type \
                 ), {}, matched AS ( \
                   SELECT e.tenant_id, e.id AS event_id, w.id AS webhook_id, w.fifo, \
                          COALESCE(i.ordering_key, '') AS lane_key, i.ord \
                   FROM event e JOIN input i ON i.id = e.id CROSS JOIN LATERAL ( \
                     SELECT id, ordering = 'fifo' AS fifo FROM webhooks \
                     WHERE tenant_id = e.tenant_id AND enabled AND {} \
                     OFFSET 0 \
                   ) w \
                 ), {LANES_CTE}, fan_out AS ( \
                   INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, next_attempt_at, lane_id, lane_seq) \
                   SELECT gen_random_uuid(), m.tenant_id, m.event_id, m.webhook_id, now(), {LANE_NUMBERS} \
                   FROM matched m {LANE_JOIN} \
                   RETURNING id, event_id, webhook_id \
                 ) \
                 SELECT e.id, f.id, f.webhook_id, NULL::text FROM event e LEFT JOIN fan_out f ON f.event_id = e.id \
                 UNION ALL SELECT id, NULL, NULL, cap FROM refused",
                pattern_match_sql("i.event_type"),
                SEEN_CTE,
                pattern_match_sql("e.event_type")
            ))
            .await?;
        let rows = client
            .query(
                &statement,
                &[
                    &ids,
                    &tenants,
                    &types,
                    &data,
                    &occurred,
                    &keys,
                    &traces,
                    &caps.event_types,
                    &caps.deliveries,
                    &ordering_keys,
                ],
            )
            .await?;
        let mut created: std::collections::HashMap<Uuid, Vec<(Uuid, Uuid)>> = Default::default();
        let mut refused: std::collections::HashMap<Uuid, CapReached> = Default::default();
        for row in &rows {
            if let Some(cap) = row.get::<_, Option<&str>>(3) {
                let cap = if cap == "deliveries" {
                    CapReached::Deliveries
                } else {
                    CapReached::EventTypes
                };
                refused.entry(row.get(0)).or_insert(cap);
                continue;
            }
            let deliveries = created.entry(row.get(0)).or_default();
            if let (Some(delivery), Some(webhook)) =
                (row.get::<_, Option<Uuid>>(1), row.get::<_, Option<Uuid>>(2))
            {
                deliveries.push((delivery, webhook));
            }
        }
        let mut answers = Vec::with_capacity(events.len());
        for ((tenant_id, event), id) in events.iter().zip(ids) {
            if let Some(cap) = refused.remove(&id) {
                answers.push(Err(cap));
                continue;
            }
            let Some(deliveries) = created.remove(&id) else {
                answers.push(Ok(Self::earlier(client, *tenant_id, event).await?));
                continue;
            };
            let jobs: Vec<DeliveryJob> = deliveries
                .into_iter()
                .map(|(delivery_id, webhook_id)| {
                    DeliveryJob::new(delivery_id, 1, event.traceparent.clone()).to(Endpoint {
                        tenant_id: *tenant_id,
                        webhook_id,
                    })
                })
                .collect();
            let ingested = IngestedEvent {
                id,
                deliveries: jobs.len() as i64,
                replayed: false,
            };
            answers.push(Ok(Unpublished::new(ingested, jobs)));
        }
        Ok(answers)
    }

    /// The event that first used this event's idempotency key.
    async fn earlier(
        client: &impl GenericClient,
        tenant_id: Uuid,
        event: &NewEvent,
    ) -> Result<Unpublished<IngestedEvent>, tokio_postgres::Error> {
        let row = client
            .query_one(
                "SELECT e.id, (SELECT count(*) FROM deliveries d WHERE d.event_id = e.id) \
                 FROM events e WHERE e.tenant_id = $1 AND e.idempotency_key = $2",
                &[&tenant_id, &event.idempotency_key],
            )
            .await?;
        let earlier = IngestedEvent {
            id: row.get(0),
            deliveries: row.get(1),
            replayed: true,
        };
        Ok(Unpublished::new(earlier, Vec::new()))
    }

    /// One event of the tenant.
    #[tracing::instrument(name = "EventRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<EventRecord>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM events WHERE id = $1 AND tenant_id = $2"),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// The W3C trace an event was created in (callbacks link their own trace to it).
    #[tracing::instrument(name = "EventRepo::traceparent", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn traceparent(
        client: &impl GenericClient,
        id: Uuid,
    ) -> Result<Option<String>, tokio_postgres::Error> {
        let row = client
            .query_opt("SELECT trace_context FROM events WHERE id = $1", &[&id])
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// One page of the tenant's events, newest first.
    #[tracing::instrument(name = "EventRepo::list", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list(
        client: &impl GenericClient,
        tenant_id: Uuid,
        q: &EventListQuery,
    ) -> Result<(Vec<EventRecord>, Option<String>), ListError> {
        const ORDERING: &str = "events_created_desc";
        let cursor = q
            .cursor
            .as_deref()
            .map(|c| Cursor::decode(c, ORDERING))
            .transpose()?;
        let cursor_id = cursor.as_ref().map(cursor_uuid).transpose()?;
        let cursor_key = cursor.map(|c| c.key);
        let sql = format!(
            "SELECT {COLUMNS}, created_at::text AS sort_key FROM events \
             WHERE tenant_id = $1 \
               AND ($2::text IS NULL OR event_type = $2) \
               AND ($3::timestamptz IS NULL OR created_at >= $3) \
               AND ($4::timestamptz IS NULL OR created_at < $4) \
               AND ($5::text IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid)) \
             ORDER BY created_at DESC, id DESC LIMIT $7"
        );
        let event_type = q.event_type.as_ref().map(|e| e.as_str());
        let fetch = q.limit + 1;
        let params: [&(dyn ToSql + Sync); 7] = [
            &tenant_id,
            &event_type,
            &q.since,
            &q.until,
            &cursor_key,
            &cursor_id,
            &fetch,
        ];
        let rows = client.query(&sql, &params).await?;
        let records: Vec<(EventRecord, String)> = rows
            .iter()
            .map(|r| (from_row(r), r.get::<_, String>("sort_key")))
            .collect();
        let (page, next) = split_page(records, q.limit, |(e, key)| Cursor {
            ordering: ORDERING.to_string(),
            key: key.clone(),
            id: e.id.to_string(),
        });
        Ok((page.into_iter().map(|(e, _)| e).collect(), next))
    }
}
