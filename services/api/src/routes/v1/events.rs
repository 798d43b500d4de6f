//! `/v1/events`: publish events, browse them and their deliveries.

use crate::ingest::EventIngester;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::pagination::page_limit;
use hookrelay_core::repo::deliveries::DeliveryRepo;
use hookrelay_core::repo::events::{EventListQuery, EventRecord, EventRepo, NewEvent};
use hookrelay_core::telemetry::traceparent;
use hookrelay_domain::payload::canonical_data;
use hookrelay_domain::EventType;
use hookrelay_domain::{ordering::OrderingKey, Timestamp};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::{parse_json, BodyLimit, QueryParams, RawJson};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::request_span::RequestTrace;
use crate::state::AppState;
use crate::views::deliveries::DeliveryResponse;
use hookrelay_web::extract::idempotency_key;

pub fn configure(cfg: &mut web::ServiceConfig, max_event_bytes: usize) {
    cfg.service(
        web::resource("/events")
            .app_data(BodyLimit(max_event_bytes))
            .route(web::get().to(list_events))
            .route(web::post().to(create_event)),
    )
    .service(web::resource("/events/{id}").route(web::get().to(get_event)));
}

/// Body of `POST /v1/events`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEventRequest {
    /// Letters and digits of any script, spaces inside, `_`, `.` and `-`; at most 100
    /// characters.
    #[schema(value_type = hookrelay_domain::schema::EventTypeName)]
    pub event_type: String,
    /// Any JSON value; sent to receivers as given.
    #[schema(value_type = Value)]
    pub data: serde_json::Value,
    /// When it happened (RFC 3339); defaults to now.
    pub occurred_at: Option<Timestamp>,
    /// On FIFO webhooks, events of the same key are delivered one at a time in the order
    /// they were accepted, and a key waits only for its own (e.g. `post:42`); without one,
    /// a FIFO webhook's events form one lane. Ignored by unordered webhooks. 1-255
    /// characters, no control characters.
    #[schema(min_length = 1, max_length = 255)]
    pub ordering_key: Option<String>,
}

/// The accepted event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventAccepted {
    pub id: Uuid,
    /// How many deliveries it fanned out to.
    pub deliveries: i64,
}

/// A stored event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    pub id: Uuid,
    pub event_type: String,
    #[schema(value_type = Value)]
    pub data: Box<RawValue>,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub idempotency_key: Option<String>,
    pub ordering_key: Option<String>,
}

impl From<EventRecord> for EventResponse {
    fn from(e: EventRecord) -> Self {
        let data = RawValue::from_string(e.data)
            .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null is JSON"));
        Self {
            id: e.id,
            event_type: e.event_type,
            data,
            occurred_at: e.occurred_at,
            created_at: e.created_at,
            idempotency_key: e.idempotency_key,
            ordering_key: e.ordering_key,
        }
    }
}

/// An event with the state of each of its deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: EventResponse,
    pub deliveries: Vec<DeliveryResponse>,
}

/// One page of events, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventResponse>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/events`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListEventsParams {
    /// Exact event type.
    #[param(min_length = 1)]
    pub event_type: Option<String>,
    /// Created at or after (RFC 3339).
    pub since: Option<Timestamp>,
    /// Created before (RFC 3339).
    pub until: Option<Timestamp>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Records an event and fans it out to every matching enabled webhook.
#[utoipa::path(
    post, path = "/v1/events", tag = "events",
    request_body = CreateEventRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays of the same key within a tenant return the first event")),
    security(("api_key" = [])),
    responses(
        (status = 202, body = EventAccepted),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_event(
    auth: TenantAuth,
    state: web::Data<AppState>,
    events: web::Data<EventIngester>,
    req: HttpRequest,
    trace: RequestTrace,
    RawJson(body): RawJson,
) -> Result<HttpResponse, ApiError> {
    state.limits.events.admit(&auth.tenant_id, 1)?;
    let request: CreateEventRequest = parse_json(&body)?;
    let event_type = EventType::parse("event_type", request.event_type)?;
    let ordering_key = request
        .ordering_key
        .map(|key| OrderingKey::parse("ordering_key", key))
        .transpose()?;
    if auth.strict_event_types {
        let client = state.pool.get().await?;
        state
            .strict
            .check(&client, auth.tenant_id, &event_type, &request.data)
            .await?;
    }
    let event = NewEvent {
        event_type,
        data: canonical_data(&request.data),
        occurred_at: request.occurred_at.map_or_else(Utc::now, Timestamp::get),
        idempotency_key: idempotency_key(&req)?,
        traceparent: Some(trace.0.clone()),
        ordering_key,
    };
    let trace_id = traceparent::trace_id(&trace.0).unwrap_or("");
    let event_type = hookrelay_core::telemetry::event_type_label(event.event_type.as_str());
    let ingested = state
        .outbox
        .committed(events.ingest(auth.tenant_id, event).await?);
    metrics::counter!(
        "hookrelay_events_accepted_total",
        "event_type" => event_type
    )
    .increment(1);
    tracing::info!(
        event_id = %ingested.id,
        trace_id,
        deliveries = ingested.deliveries,
        "event accepted"
    );
    let mut response = HttpResponse::Accepted();
    if ingested.replayed {
        response.insert_header(("idempotent-replayed", "true"));
    }
    Ok(response.json(EventAccepted {
        id: ingested.id,
        deliveries: ingested.deliveries,
    }))
}

/// Lists events, newest first.
#[utoipa::path(
    get, path = "/v1/events", tag = "events",
    params(ListEventsParams),
    security(("api_key" = [])),
    responses((status = 200, body = EventPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_events(
    auth: TenantAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<ListEventsParams>,
) -> Result<HttpResponse, ApiError> {
    let query = EventListQuery {
        event_type: params
            .event_type
            .map(|t| EventType::parse("event_type", t))
            .transpose()?,
        since: params.since.map(Timestamp::get),
        until: params.until.map(Timestamp::get),
        limit: page_limit(params.limit)?,
        cursor: state.cursors.open(params.cursor)?,
    };
    let client = state.pool.get().await?;
    let (items, next_cursor) = EventRepo::list(&client, auth.tenant_id, &query).await?;
    Ok(HttpResponse::Ok().json(EventPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: state.cursors.seal(next_cursor),
    }))
}

/// One event and its deliveries.
#[utoipa::path(
    get, path = "/v1/events/{id}", tag = "events",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = EventDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_event(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let client = state.pool.get().await?;
    let event = EventRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("event"))?;
    let deliveries = DeliveryRepo::for_event(&client, auth.tenant_id, id).await?;
    Ok(HttpResponse::Ok().json(EventDetail {
        event: event.into(),
        deliveries: deliveries.into_iter().map(Into::into).collect(),
    }))
}
