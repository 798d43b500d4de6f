//! `/v1/callback-url`: the tenant's secret URL on the ingester, rotation, signing secret.

use actix_web::{web, HttpResponse};
use hookrelay_core::repo::callback_tokens::{CallbackCredentials, CallbackTokenRepo};
use hookrelay_domain::{SignatureScheme, ValidationError, WebhookSecret};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::JsonBody;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::TenantAuth;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/callback-url")
            .route(web::get().to(get_callback_url))
            .route(web::patch().to(update_callback_url)),
    )
    .service(web::resource("/callback-url/rotate").route(web::post().to(rotate_callback_url)));
}

/// Where workflows report back.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackUrlResponse {
    /// `POST` callbacks here: `{"post_id": 123, "status": "published"|"failed", "details"?: "..."}`.
    pub url: String,
    /// Whether callbacks must carry Standard Webhooks signature headers.
    pub signing_enabled: bool,
}

/// Body of `PATCH /v1/callback-url`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCallbackUrlRequest {
    /// `whsec_...` to require signed callbacks, `null` to stop requiring them.
    #[schema(value_type = Option<hookrelay_domain::schema::Secret>)]
    pub signing_secret: Option<String>,
}

fn key(state: &AppState) -> Result<&[u8], ApiError> {
    let key = state
        .settings
        .api
        .callback_token_key
        .expose_secret()
        .as_bytes();
    if key.is_empty() {
        return Err(ApiError::Unavailable(
            "api.callback_token_key is not configured".into(),
        ));
    }
    Ok(key)
}

fn response(state: &AppState, creds: CallbackCredentials) -> CallbackUrlResponse {
    CallbackUrlResponse {
        url: format!(
            "{}/v1/callbacks/{}",
            state
                .settings
                .ingester
                .public_base_url
                .trim_end_matches('/'),
            creds.token
        ),
        signing_enabled: creds.signing_enabled,
    }
}

/// The tenant's callback URL (created on first use).
#[utoipa::path(
    get, path = "/v1/callback-url", tag = "callbacks",
    security(("api_key" = [])),
    responses((status = 200, body = CallbackUrlResponse), (status = 401, body = ErrorBody), (status = 503, body = ErrorBody))
)]
pub async fn get_callback_url(
    auth: TenantAuth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = key(&state)?;
    let client = state.pool.get().await?;
    let creds = CallbackTokenRepo::get_or_create(&client, key, auth.tenant_id).await?;
    Ok(HttpResponse::Ok().json(response(&state, creds)))
}

/// Replaces the callback URL; the old one stops working at once.
#[utoipa::path(
    post, path = "/v1/callback-url/rotate", tag = "callbacks",
    security(("api_key" = [])),
    responses((status = 200, body = CallbackUrlResponse), (status = 401, body = ErrorBody), (status = 503, body = ErrorBody))
)]
pub async fn rotate_callback_url(
    auth: TenantAuth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = key(&state)?;
    let client = state.pool.get().await?;
    let creds = CallbackTokenRepo::rotate(&client, key, auth.tenant_id).await?;
    Ok(HttpResponse::Ok().json(response(&state, creds)))
}

/// Sets or clears the secret callbacks must be signed with.
#[utoipa::path(
    patch, path = "/v1/callback-url", tag = "callbacks",
    request_body = UpdateCallbackUrlRequest,
    security(("api_key" = [])),
    responses((status = 200, body = CallbackUrlResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn update_callback_url(
    auth: TenantAuth,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<UpdateCallbackUrlRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = key(&state)?;
    let secret = body
        .signing_secret
        .as_deref()
        .map(|s| {
            // Callbacks are verified with HMAC: an ed25519 key is no secret to share.
            WebhookSecret::parse(s).and_then(|k| match k.scheme() {
                SignatureScheme::HmacSha256 => Ok(s),
                SignatureScheme::Ed25519 => Err(ValidationError::new(
                    "signing_secret",
                    "must be an HMAC secret (`whsec_`), not an ed25519 key",
                )),
            })
        })
        .transpose()
        .map_err(|e| ApiError::validation("signing_secret", e.message))?;
    let client = state.pool.get().await?;
    let creds =
        CallbackTokenRepo::set_signing_secret(&client, key, auth.tenant_id, secret, &state.cipher)
            .await?;
    Ok(HttpResponse::Ok().json(response(&state, creds)))
}
