//! Bulk replays: `POST /v1/webhooks/{id}/replay` sends a window of a webhook's deliveries
//! again (and, with `include_missed`, the events it never got), `.../replay/preview` counts
//! what it would send first; `GET /v1/replays/{id}` shows progress and
//! `POST /v1/replays/{id}/cancel` stops one.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::repo::replays::{Replay, ReplayRepo};
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_domain::replay::{ReplayScope, ReplayWindow};
use hookrelay_domain::Timestamp;
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::JsonBody;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::replayer;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhooks/{id}/replay").route(web::post().to(replay_webhook)))
        .service(
            web::resource("/webhooks/{id}/replay/preview").route(web::post().to(preview_replay)),
        )
        .service(web::resource("/replays/{id}").route(web::get().to(get_replay)))
        .service(web::resource("/replays/{id}/cancel").route(web::post().to(cancel_replay)));
}

/// Body of `POST /v1/webhooks/{id}/replay`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Deliveries created at or after this time (RFC 3339).
    pub since: Timestamp,
    /// ...and before this one; default now. The window covers at most 14 days.
    pub until: Option<Timestamp>,
    /// `failed` (default): deliveries that ended failed; `all`: every finished delivery.
    pub status: Option<String>,
    /// Also deliver the events of the window that matched the webhook's types but were
    /// never sent to it (it was disabled, or created later).
    #[serde(default)]
    pub include_missed: bool,
}

/// What a replay would send, counted now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayPreview {
    /// Deliveries it would send: `existing` plus `missed`.
    pub count: i64,
    /// Existing deliveries of the window it would send again.
    pub existing: i64,
    /// Events of the window the webhook matched and never got (with `include_missed`).
    pub missed: i64,
}

impl ReplayRequest {
    fn window_and_scope(&self) -> Result<(ReplayWindow, ReplayScope), ApiError> {
        let window =
            ReplayWindow::parse(self.since.get(), self.until.map(Timestamp::get), Utc::now())?;
        Ok((window, ReplayScope::parse(self.status.as_deref())?))
    }
}

/// A started replay.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayStarted {
    pub id: Uuid,
    /// Deliveries it will send: existing ones plus missed events.
    pub count: i64,
}

/// A bulk replay and its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayResponse {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// `running`, `completed`, `failed` or `cancelled`.
    pub state: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// `failed` or `all`.
    pub status: String,
    pub include_missed: bool,
    /// Deliveries it covers, counted when it started.
    pub count: i64,
    /// Existing deliveries sent again so far.
    pub replayed: i64,
    /// Deliveries created so far for missed events.
    pub created: i64,
    /// Why it failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<Replay> for ReplayResponse {
    fn from(r: Replay) -> Self {
        Self {
            id: r.id,
            webhook_id: r.webhook_id,
            state: r.state.as_str().to_string(),
            since: r.window.since,
            until: r.window.until,
            status: r.scope.as_str().to_string(),
            include_missed: r.include_missed,
            count: r.total,
            replayed: r.replayed,
            created: r.created,
            error: r.error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

/// Replays a window of a webhook's deliveries in the background, each with a fresh retry
/// schedule; at most one runs per webhook.
#[utoipa::path(
    post, path = "/v1/webhooks/{id}/replay", tag = "webhooks",
    params(("id" = Uuid, Path)),
    request_body = ReplayRequest,
    security(("api_key" = [])),
    responses(
        (status = 202, body = ReplayStarted),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "a replay of this webhook is running"),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn replay_webhook(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    JsonBody(body): JsonBody<ReplayRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (window, scope) = body.window_and_scope()?;
    let mut client = state.pool.get().await?;
    WebhookRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    let replay = ReplayRepo::start(
        &mut client,
        auth.tenant_id,
        id,
        window,
        scope,
        body.include_missed,
    )
    .await?
    .ok_or_else(|| ApiError::Conflict {
        code: "replay_running",
        message: "a replay of this webhook is running; wait for it to finish".into(),
    })?;
    replayer::spawn(state.pool.clone(), state.outbox.clone(), replay.id);
    Ok(HttpResponse::Accepted().json(ReplayStarted {
        id: replay.id,
        count: replay.total,
    }))
}

/// Counts what a replay with this body would send, without starting it.
#[utoipa::path(
    post, path = "/v1/webhooks/{id}/replay/preview", tag = "webhooks",
    params(("id" = Uuid, Path)),
    request_body = ReplayRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = ReplayPreview),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn preview_replay(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    JsonBody(body): JsonBody<ReplayRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (window, scope) = body.window_and_scope()?;
    let client = state.pool.get().await?;
    WebhookRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    let count = ReplayRepo::count(
        &client,
        auth.tenant_id,
        id,
        window,
        scope,
        body.include_missed,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ReplayPreview {
        count: count.total(),
        existing: count.existing,
        missed: count.missed,
    }))
}

/// Cancels a running replay: it stops before its next batch (deliveries it already queued
/// are sent). A finished replay is returned as it is.
#[utoipa::path(
    post, path = "/v1/replays/{id}/cancel", tag = "webhooks",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = ReplayResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn cancel_replay(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    let replay = ReplayRepo::cancel(&client, auth.tenant_id, id.into_inner())
        .await?
        .ok_or(ApiError::NotFound("replay"))?;
    Ok(HttpResponse::Ok().json(ReplayResponse::from(replay)))
}

/// A bulk replay and its progress.
#[utoipa::path(
    get, path = "/v1/replays/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = ReplayResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_replay(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    let replay = ReplayRepo::get(&client, auth.tenant_id, id.into_inner())
        .await?
        .ok_or(ApiError::NotFound("replay"))?;
    Ok(HttpResponse::Ok().json(ReplayResponse::from(replay)))
}
