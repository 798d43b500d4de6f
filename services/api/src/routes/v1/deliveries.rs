//! `/v1/deliveries`: listings, one delivery with its attempt log, and replay.

use actix_web::{web, HttpResponse};
use hookrelay_core::pagination::page_limit;
use hookrelay_core::repo::attempts::AttemptRepo;
use hookrelay_core::repo::deliveries::{DeliveryListQuery, DeliveryRepo};
use hookrelay_domain::EventTypePattern;
use hookrelay_domain::{delivery::DeliveryStatus, Timestamp};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::QueryParams;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::state::AppState;
use crate::views::attempts::AttemptResponse;
use crate::views::deliveries::DeliveryResponse;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/deliveries").route(web::get().to(list_deliveries)))
        .service(web::resource("/deliveries/{id}").route(web::get().to(get_delivery)))
        .service(web::resource("/deliveries/{id}/replay").route(web::post().to(replay_delivery)));
}

/// A delivery and all its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: DeliveryResponse,
    pub attempt_log: Vec<AttemptResponse>,
}

/// One page of deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryResponse>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/deliveries`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesParams {
    pub webhook_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    /// `pending`, `succeeded`, `failed` or `cancelled`.
    #[param(pattern = "^(pending|succeeded|failed|cancelled)$")]
    pub status: Option<String>,
    /// An exact event type, or `prefix.*` for every type under a prefix.
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

/// Lists the tenant's deliveries, newest first.
#[utoipa::path(
    get, path = "/v1/deliveries", tag = "deliveries",
    params(ListDeliveriesParams),
    security(("api_key" = [])),
    responses((status = 200, body = DeliveryPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_deliveries(
    auth: TenantAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<ListDeliveriesParams>,
) -> Result<HttpResponse, ApiError> {
    let query = DeliveryListQuery {
        webhook_id: params.webhook_id,
        event_id: params.event_id,
        status: params
            .status
            .map(|s| DeliveryStatus::parse("status", &s))
            .transpose()?,
        event_type: params
            .event_type
            .map(|t| EventTypePattern::parse("event_type", t))
            .transpose()?,
        since: params.since.map(Timestamp::get),
        until: params.until.map(Timestamp::get),
        limit: page_limit(params.limit)?,
        cursor: state.cursors.open(params.cursor)?,
    };
    let client = state.pool.get().await?;
    let (items, next_cursor) = DeliveryRepo::list(&client, auth.tenant_id, &query).await?;
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: state.cursors.seal(next_cursor),
    }))
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
    let attempts = AttemptRepo::of_delivery(&client, auth.tenant_id, id).await?;
    Ok(HttpResponse::Ok().json(DeliveryDetail {
        delivery: delivery.into(),
        attempt_log: attempts.into_iter().map(Into::into).collect(),
    }))
}

/// Sends a finished (failed, succeeded or cancelled) delivery once more, byte-identical
/// and with the same `webhook-id`, with a fresh retry schedule: a failed replay is retried
/// on the whole schedule again. Attempt numbers keep counting (the log stays one sequence).
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
