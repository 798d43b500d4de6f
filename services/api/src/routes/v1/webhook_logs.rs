//! `GET /v1/webhooks/{id}/logs`: a webhook's log — every attempt and test send, newest
//! first, with the body that was sent and what the receiver answered; `.../logs/stream`
//! follows it live (server-sent events).

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use hookrelay_core::pagination::page_limit;
use hookrelay_core::repo::attempts::{AttemptRepo, WebhookLogQuery};
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_domain::{EventType, Timestamp, ValidationError};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::QueryParams;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::log_streams::{events, Follower};
use crate::auth::TenantAuth;
use crate::state::AppState;
use crate::views::attempts::LogEntryResponse;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhooks/{id}/logs").route(web::get().to(webhook_logs)))
        .service(
            web::resource("/webhooks/{id}/logs/stream").route(web::get().to(stream_webhook_logs)),
        );
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
        exclude: Vec::new(),
    };
    let client = state.pool.get().await?;
    WebhookRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    let (items, next_cursor) = AttemptRepo::webhook_log(
        &client,
        auth.tenant_id,
        id,
        &query,
        &state.settings.delivery.cloudevents_source,
    )
    .await?;
    Ok(HttpResponse::Ok().json(LogPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: state.cursors.seal(next_cursor),
    }))
}

/// A webhook's attempts and test sends as they happen: server-sent events, one `attempt`
/// event (a log entry as JSON, its id as the event id) per attempt logged from now on,
/// and a `: keep-alive` comment every 5 s. At most `api.log_streams_per_tenant` are open
/// per tenant (429 beyond); each ends after an hour (reconnect to go on).
#[utoipa::path(
    get, path = "/v1/webhooks/{id}/logs/stream", tag = "webhooks",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "`text/event-stream` of `attempt` events (each a LogEntryResponse)", content_type = "text/event-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "the tenant has `api.log_streams_per_tenant` streams open"),
    )
)]
pub async fn stream_webhook_logs(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    {
        let client = state.pool.get().await?;
        WebhookRepo::get(&client, auth.tenant_id, id)
            .await?
            .ok_or(ApiError::NotFound("webhook"))?;
    }
    let slot = state
        .log_streams
        .open(auth.tenant_id)
        .ok_or(ApiError::TooManyRequests {
            retry_after_secs: 5,
        })?;
    let follower = Follower::new(&state, auth.tenant_id, id, slot);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Proxies that buffer (nginx) pass it on as it comes.
        .insert_header(("x-accel-buffering", "no"))
        .streaming(events(state, follower)))
}
