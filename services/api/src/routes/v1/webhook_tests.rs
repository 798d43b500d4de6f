//! The test-send routes (the sending itself is `crate::app::test_sends`):
//! `POST /v1/webhooks/{id}/test` tests a saved webhook and logs the send in its log;
//! `POST /v1/webhooks/test` tests a configuration before it is saved (the "test before
//! saving" flow; `POST /v1/webhooks` with `test_first` saves only if it passes).

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_domain::delivery::WebhookTarget;
use hookrelay_domain::{CustomHeaders, PayloadFormat, SignatureProfile, WebhookSecret, WebhookUrl};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::JsonBody;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use hookrelay_domain::signing::check_profile;

use crate::app::test_sends::{log_test, send_test, test_event_type};
use crate::auth::TenantAuth;
use crate::request_span::RequestTrace;
use crate::state::AppState;
use crate::views::attempts::TestResult;

/// Registered before `/webhooks/{id}`, so `test` is not taken for an id.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhooks/test").route(web::post().to(test_url)))
        .service(web::resource("/webhooks/{id}/test").route(web::post().to(test_webhook)));
}

/// Body of `POST /v1/webhooks/{id}/test`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestWebhookRequest {
    /// The event type to send as; defaults to one the webhook subscribes to.
    pub event_type: Option<String>,
    /// The event's data (a JSON object); defaults to the catalogue's example of the type.
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
}

/// Body of `POST /v1/webhooks/test`: the configuration to test.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestUrlRequest {
    #[schema(value_type = hookrelay_domain::schema::Url)]
    pub url: String,
    /// `whsec_...`; a throwaway secret is used when absent.
    #[schema(value_type = Option<hookrelay_domain::schema::SigningKey>)]
    pub secret: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub payload_format: Option<PayloadFormat>,
    /// `standard` (default) or `x-webhook`.
    pub signature_profile: Option<SignatureProfile>,
    /// Defaults to `webhook.test`.
    pub event_type: Option<String>,
    /// The event's data (a JSON object); defaults to the catalogue's example of the type.
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
}

/// Sends a signed test event to a saved webhook now and logs it (`test: true`).
#[utoipa::path(
    post, path = "/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = Uuid, Path)),
    request_body = TestWebhookRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = TestResult, description = "the test was sent; `success` says whether the receiver accepted it"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "more than `api.test_sends_per_minute` test sends this minute"),
    )
)]
pub async fn test_webhook(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    trace: RequestTrace,
    JsonBody(body): JsonBody<TestWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let client = state.pool.get().await?;
    let record = WebhookRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    let target = WebhookRepo::target(&client, auth.tenant_id, id, &state.cipher)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    drop(client);
    let event_type = test_event_type(body.event_type, &record.event_types)?;
    state.check_url(&target.url).await?;
    let attempt = send_test(
        &state,
        auth.tenant_id,
        &target,
        &event_type,
        body.payload,
        &trace.0,
    )
    .await?;
    let result = TestResult::from(&attempt);
    log_test(&state, id, attempt).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Sends a signed test event to a configuration that is not saved yet.
#[utoipa::path(
    post, path = "/v1/webhooks/test", tag = "webhooks",
    request_body = TestUrlRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = TestResult, description = "the test was sent; `success` says whether the receiver accepted it"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "more than `api.test_sends_per_minute` test sends this minute"),
    )
)]
pub async fn test_url(
    auth: TenantAuth,
    state: web::Data<AppState>,
    trace: RequestTrace,
    JsonBody(body): JsonBody<TestUrlRequest>,
) -> Result<HttpResponse, ApiError> {
    let url = WebhookUrl::parse(&body.url)?;
    state.check_url(&url).await?;
    let target = WebhookTarget {
        url,
        payload_format: body.payload_format.unwrap_or_default(),
        headers: CustomHeaders::parse(body.headers)?,
        secret: match body.secret {
            Some(s) => WebhookSecret::parse(&s)?,
            None => WebhookSecret::generate(),
        },
        previous_secret: None,
        retry_schedule: None,
        webhook_id: Uuid::nil(),
        signature_profile: body.signature_profile.unwrap_or_default(),
        handshake: None,
    };
    check_profile(
        target.signature_profile,
        target.secret.scheme(),
        "signature_profile",
    )?;
    let event_type = test_event_type(body.event_type, &[])?;
    let attempt = send_test(
        &state,
        auth.tenant_id,
        &target,
        &event_type,
        body.payload,
        &trace.0,
    )
    .await?;
    Ok(HttpResponse::Ok().json(TestResult::from(&attempt)))
}
