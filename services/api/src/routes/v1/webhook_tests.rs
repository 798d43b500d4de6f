//! Test sends: one signed POST now, exactly as a delivery would be (same body format,
//! headers, signature, timeout, redirect and private-address rules), no queue, no retries.
//! `POST /v1/webhooks/{id}/test` tests a saved webhook and logs the send in its log;
//! `POST /v1/webhooks/test` tests a configuration before it is saved (the "test before
//! saving" flow; `POST /v1/webhooks` with `test_first` saves only if it passes).

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use chrono::Utc;
use hookrelay_core::repo::attempts::AttemptRepo;
use hookrelay_core::repo::event_types::EventTypeRepo;
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_core::sender::signed_request;
use hookrelay_domain::attempt::{Attempt, AttemptOf, ResultClass};
use hookrelay_domain::delivery::{EventContent, WebhookTarget};
use hookrelay_domain::payload::canonical_data;
use hookrelay_domain::{
    CustomHeaders, EventType, EventTypePattern, PayloadFormat, SignatureProfile, ValidationError,
    WebhookSecret, WebhookUrl,
};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::JsonBody;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::attempts::TestResult;
use crate::auth::TenantAuth;
use crate::request_span::RequestTrace;
use crate::startup::AppState;

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
}

/// Body of `POST /v1/webhooks/test`: the configuration to test.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestUrlRequest {
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    pub url: String,
    /// `whsec_...`; a throwaway secret is used when absent.
    #[schema(
        pattern = r"^whsec_(?:(?:[A-Za-z0-9+/]{4}){8,21}|(?:[A-Za-z0-9+/]{4}){8,20}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|(?:[A-Za-z0-9+/]{4}){8,21}[A-Za-z0-9+/][AQgw]==)$"
    )]
    pub secret: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub payload_format: Option<PayloadFormat>,
    /// `standard` (default) or `x-webhook`.
    pub signature_profile: Option<SignatureProfile>,
    /// Defaults to `webhook.test`.
    pub event_type: Option<String>,
}

/// The event type a test is sent as: the one asked for, else the webhook's first exact
/// type, else `<prefix>.test` for a `prefix.*` pattern, else `webhook.test`.
pub fn test_event_type(
    asked: Option<String>,
    patterns: &[String],
) -> Result<EventType, ValidationError> {
    if let Some(t) = asked {
        return EventType::parse("event_type", t);
    }
    let exact = patterns.iter().find(|p| !p.ends_with('*'));
    let prefixed = patterns
        .iter()
        .find_map(|p| p.strip_suffix(".*").map(|prefix| format!("{prefix}.test")));
    let name = exact
        .cloned()
        .or(prefixed)
        .unwrap_or_else(|| "webhook.test".to_string());
    EventType::parse("event_type", name)
}

/// Sends one test to `target` as an event of `event_type`; returns the attempt (with the
/// body that was sent), to answer with and to log.
pub async fn send_test(
    state: &AppState,
    tenant_id: Uuid,
    target: &WebhookTarget,
    event_type: &EventType,
    trace: &str,
) -> Result<Attempt, ApiError> {
    state.admit_test_send(tenant_id)?;
    // The catalogue's example shows the receiver the real structure.
    let example = {
        let client = state.pool.get().await?;
        EventTypeRepo::get(&client, tenant_id, event_type.as_str())
            .await?
            .and_then(|e| e.example)
    };
    let data = example.unwrap_or_else(|| serde_json::json!({"test": true}));
    let event = EventContent {
        id: Uuid::now_v7(),
        event_type: event_type.as_str().to_string(),
        data: canonical_data(&data),
        occurred_at: Utc::now(),
    };
    let request = signed_request(
        target,
        &event,
        1,
        event.occurred_at.timestamp(),
        Some(trace),
    );
    let payload = String::from_utf8_lossy(&request.body).into_owned();
    let unsent = Attempt::unsent(
        tenant_id,
        target.webhook_id,
        AttemptOf::Test { payload },
        event_type.as_str().to_string(),
        Utc::now(),
    );
    let result = state.sender.send(target.url.url(), request).await;
    let success = result.class == ResultClass::Success;
    metrics::counter!("hookrelay_test_sends_total", "success" => if success { "true" } else { "false" })
        .increment(1);
    Ok(result.into_attempt(Attempt {
        succeeded: success,
        ..unsent
    }))
}

/// Logs a test send in the log of the saved webhook `webhook_id`.
pub async fn log_test(
    state: &AppState,
    webhook_id: Uuid,
    attempt: Attempt,
) -> Result<(), ApiError> {
    let client = state.pool.get().await?;
    AttemptRepo::log_test(
        &client,
        &Attempt {
            webhook_id,
            ..attempt
        },
    )
    .await?;
    Ok(())
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
    let attempt = send_test(&state, auth.tenant_id, &target, &event_type, &trace.0).await?;
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
    };
    let event_type = test_event_type(body.event_type, &[])?;
    let attempt = send_test(&state, auth.tenant_id, &target, &event_type, &trace.0).await?;
    Ok(HttpResponse::Ok().json(TestResult::from(&attempt)))
}

/// The patterns of a webhook as the names [`test_event_type`] picks from.
pub fn pattern_names(patterns: &[EventTypePattern]) -> Vec<String> {
    patterns.iter().map(|p| p.as_str().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_event_types() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let pick = |asked: Option<&str>, patterns: &[&str]| {
            test_event_type(asked.map(str::to_string), &names(patterns))
                .expect("valid")
                .as_str()
                .to_string()
        };
        assert_eq!(pick(Some("x.y"), &["a.b"]), "x.y");
        assert_eq!(pick(None, &["order.*", "invoice.paid"]), "invoice.paid");
        assert_eq!(pick(None, &["order.*"]), "order.test");
        assert_eq!(pick(None, &["*"]), "webhook.test");
        assert_eq!(pick(None, &[]), "webhook.test");
        assert!(test_event_type(Some("bad type!".into()), &[]).is_err());
    }
}
