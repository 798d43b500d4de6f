//! `GET /v1/webhooks/{id}/logs`: a webhook's log — every attempt and test send, newest
//! first, with the body that was sent and what the receiver answered.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::pagination::page_limit;
use hookrelay_core::repo::deliveries::{DeliveryRepo, LogEntry, WebhookLogQuery};
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_domain::{EventType, Timestamp, ValidationError};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::QueryParams;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhooks/{id}/logs").route(web::get().to(webhook_logs)));
}

/// One attempt (or test send) of a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryResponse {
    pub id: Uuid,
    /// Absent for a test send.
    pub delivery_id: Option<Uuid>,
    /// Absent for a test send.
    pub event_id: Option<Uuid>,
    pub event_type: String,
    /// When the attempt started.
    pub created_at: DateTime<Utc>,
    /// The attempt number within its delivery (1 for a test send).
    pub attempt: i32,
    /// HTTP status, absent when no response arrived.
    pub response_code: Option<i32>,
    /// Seconds from sending to the end of the response.
    pub execution_time: f64,
    /// Why the attempt failed without a response (timeout, connection refused...).
    pub error: Option<String>,
    /// First 4 KiB of the response body.
    pub response_excerpt: Option<String>,
    /// The exact JSON body that was sent (absent when nothing was sent).
    #[schema(value_type = Option<Object>)]
    pub payload: Option<Box<RawValue>>,
    pub success: bool,
    /// A test send (`POST /v1/webhooks/{id}/test`), not a delivery.
    pub test: bool,
    /// The receiver's `Retry-After` (seconds) with a 429 or 503.
    pub retry_after: Option<i32>,
}

impl From<LogEntry> for LogEntryResponse {
    fn from(e: LogEntry) -> Self {
        Self {
            id: e.id,
            delivery_id: e.delivery_id,
            event_id: e.event_id,
            event_type: e.event_type,
            created_at: e.started_at,
            attempt: e.attempt_no,
            response_code: e.response_code,
            execution_time: f64::from(e.duration_ms) / 1000.0,
            error: e.error,
            response_excerpt: e.response_body,
            payload: e.payload.and_then(|p| RawValue::from_string(p).ok()),
            success: e.succeeded,
            test: e.test,
            retry_after: e.retry_after_secs,
        }
    }
}

/// One page of a webhook's log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<LogEntryResponse>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/webhooks/{id}/logs`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// `success` or `failure`.
    #[param(pattern = "^(success|failure)$")]
    pub status: Option<String>,
    /// Exact event type.
    #[param(min_length = 1)]
    pub event_type: Option<String>,
    /// Attempts started at or after (RFC 3339).
    pub since: Option<Timestamp>,
    /// Attempts started before (RFC 3339).
    pub until: Option<Timestamp>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Parses the `status` filter of a log.
fn outcome_filter(s: Option<String>) -> Result<Option<bool>, ValidationError> {
    match s.as_deref() {
        None => Ok(None),
        Some("success") => Ok(Some(true)),
        Some("failure") => Ok(Some(false)),
        Some(_) => Err(ValidationError::new("status", "must be success or failure")),
    }
}

/// A webhook's log: every attempt and test send, newest first.
#[utoipa::path(
    get, path = "/v1/webhooks/{id}/logs", tag = "webhooks",
    params(("id" = Uuid, Path), LogParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = LogPage),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn webhook_logs(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    QueryParams(params): QueryParams<LogParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let query = WebhookLogQuery {
        succeeded: outcome_filter(params.status)?,
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
    WebhookRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    let (items, next_cursor) =
        DeliveryRepo::webhook_log(&client, auth.tenant_id, id, &query).await?;
    Ok(HttpResponse::Ok().json(LogPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: state.cursors.seal(next_cursor),
    }))
}
