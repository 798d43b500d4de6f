//! `/v1/deliveries`: one delivery with its attempt log, and replay.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::repo::deliveries::{AttemptLog, DeliveryRepo, DeliverySummary};
use hookrelay_web::error::{ApiError, ErrorBody};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/deliveries/{id}", web::get().to(get_delivery))
        .route("/deliveries/{id}/replay", web::post().to(replay_delivery));
}

/// The state of one delivery (an event to one webhook).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: Uuid,
    pub event_id: Uuid,
    pub webhook_id: Uuid,
    /// `pending`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// Attempts made so far.
    pub attempts: i32,
    pub last_response_code: Option<i32>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<DeliverySummary> for DeliveryResponse {
    fn from(d: DeliverySummary) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            webhook_id: d.webhook_id,
            status: d.status.as_str().to_string(),
            attempts: d.attempts,
            last_response_code: d.last_response_code,
            last_attempt_at: d.last_attempt_at,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            completed_at: d.completed_at,
        }
    }
}

/// One logged attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResponse {
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// HTTP status, absent when no response arrived.
    pub response_code: Option<i32>,
    /// First 4 KiB of the response body.
    pub response_body: Option<String>,
    /// Why the attempt failed without a response (timeout, connection refused...).
    pub error: Option<String>,
    pub succeeded: bool,
}

impl From<AttemptLog> for AttemptResponse {
    fn from(a: AttemptLog) -> Self {
        Self {
            attempt: a.attempt_no,
            started_at: a.started_at,
            duration_ms: a.duration_ms,
            response_code: a.response_code,
            response_body: a.response_body,
            error: a.error,
            succeeded: a.succeeded,
        }
    }
}

/// A delivery and all its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: DeliveryResponse,
    pub attempt_log: Vec<AttemptResponse>,
}

/// One delivery with its attempt log.
#[utoipa::path(
    get, path = "/v1/deliveries/{id}", tag = "deliveries",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = DeliveryDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_delivery(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let client = state.pool.get().await?;
    let delivery = DeliveryRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("delivery"))?;
    let attempts = DeliveryRepo::attempts(&client, auth.tenant_id, id).await?;
    Ok(HttpResponse::Ok().json(DeliveryDetail {
        delivery: delivery.into(),
        attempt_log: attempts.into_iter().map(Into::into).collect(),
    }))
}

/// Sends a finished (failed, succeeded or cancelled) delivery once more, byte-identical
/// and with the same `webhook-id`. A replay continues the attempt count: while the retry
/// schedule has attempts left (4 in all by default) a failed replay is retried on it;
/// past that, one failed attempt leaves the delivery `failed` again.
#[utoipa::path(
    post, path = "/v1/deliveries/{id}/replay", tag = "deliveries",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses(
        (status = 202, body = DeliveryResponse),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the delivery is still pending"),
    )
)]
pub async fn replay_delivery(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let client = state.pool.get().await?;
    let Some(replay) = DeliveryRepo::replay(&client, auth.tenant_id, id).await? else {
        return match DeliveryRepo::get(&client, auth.tenant_id, id).await? {
            Some(_) => Err(ApiError::Conflict {
                code: "delivery_pending",
                message: "the delivery is still pending; it can be replayed once it finishes"
                    .into(),
            }),
            None => Err(ApiError::NotFound("delivery")),
        };
    };
    state.outbox.committed_confirmed(replay).await;
    let delivery = DeliveryRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("delivery"))?;
    Ok(HttpResponse::Accepted().json(DeliveryResponse::from(delivery)))
}
