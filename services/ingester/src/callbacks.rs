//! `POST /v1/callbacks/{token}`: a workflow reports `{post_id, status, details?}`.
//!
//! Every callback that names a valid token is logged for its tenant, accepted or not.
//! The post row is locked while a report is applied, so concurrent duplicates produce
//! exactly one status change and one event.

use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use chrono::Utc;
use hookrelay_core::repo::callback_tokens::{CallbackTenant, CallbackTokenRepo};
use hookrelay_core::repo::events::EventRepo;
use hookrelay_core::repo::posts::{NewCallbackLog, PostRepo};
use hookrelay_core::report::ErrorChain;
use hookrelay_core::telemetry::traceparent;
use hookrelay_domain::post::{transition, PostStatus, ReportedStatus, Transition};
use hookrelay_domain::signing::{verify_request, SignedHeaders};
use hookrelay_domain::WebhookSecret;
use hookrelay_web::error::ApiError;
use hookrelay_web::error::ErrorBody;
use hookrelay_web::extract::{parse_json, read_limited};
use hookrelay_web::limits::client_addr;
use serde::{Deserialize, Serialize};
use tracing::Instrument;
use utoipa::ToSchema;

use crate::state::IngesterState;

/// Longest accepted `details`.
pub const DETAILS_MAX_BYTES: usize = 4096;

/// A workflow's report.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CallbackBody {
    /// The post's id (as `POST /v1/posts` answered it).
    pub post_id: i64,
    pub status: ReportedStatus,
    /// Free text, at most 4096 bytes, no NUL characters.
    #[serde(default)]
    #[schema(max_length = 4096)]
    pub details: Option<String>,
}

/// Answer to an accepted callback.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackAccepted {
    pub post_id: i64,
    /// The post's status now: `published` or `failed`.
    pub status: &'static str,
    /// False when the post already had this status (an idempotent repeat), or when this
    /// signed callback was already received (a replay or a resend: nothing is applied).
    pub changed: bool,
    /// A signed callback received before, inside its signature's window.
    #[serde(skip)]
    pub replayed: bool,
}

#[utoipa::path(
    post,
    path = "/v1/callbacks/{token}",
    tag = "callbacks",
    params(
        ("token" = String, Path, description = "The tenant's callback token, from `GET /v1/callback-url` of the API"),
        ("webhook-id" = Option<String>, Header, description = "Standard Webhooks signature headers: one of the two signatures is required when the callback URL has a signing secret"),
        ("webhook-timestamp" = Option<String>, Header),
        ("webhook-signature" = Option<String>, Header),
        ("x-webhook-signature" = Option<String>, Header, description = "Or: the hex HMAC-SHA256 of the raw body keyed with the secret as shown (`whsec_...`), as n8n's Crypto node makes it"),
        ("x-webhook-timestamp" = Option<String>, Header, description = "With x-webhook-signature: unix seconds or RFC 3339 within 5 minutes; the HMAC then covers `<timestamp>.<body>`"),
    ),
    request_body = CallbackBody,
    responses(
        (status = 200, description = "Applied, or an idempotent repeat (`changed: false`)", body = CallbackAccepted),
        (status = 401, description = "`invalid_signature`: the signature is missing or wrong; the message says which check failed", body = ErrorBody),
        (status = 404, description = "`not_found`: no such callback URL, or no such post", body = ErrorBody),
        (status = 409, description = "`post_already_published` / `post_deleted`: the status cannot change any more", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a field is wrong; `field` names it", body = ErrorBody),
    )
)]
/// Reports what became of a scheduled post.
///
/// Handles one callback, in a trace of its own: the status event it may create belongs to
/// that trace, which links to the trace of the post's `new_post_scheduled` event.
pub async fn receive(
    state: web::Data<IngesterState>,
    req: HttpRequest,
    token: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // The path carries the tenant's secret token: the span names the route, not the path.
    let span = tracing::info_span!(
        "callback",
        otel.name = "POST /v1/callbacks/{token}",
        otel.kind = "server",
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty,
        linked_trace_id = tracing::field::Empty,
    );
    let trace = traceparent::continue_trace(&span, None);
    receive_traced(state, req, token, payload, trace)
        .instrument(span)
        .await
}

async fn receive_traced(
    state: web::Data<IngesterState>,
    req: HttpRequest,
    token: web::Path<String>,
    payload: web::Payload,
    trace: String,
) -> Result<HttpResponse, ApiError> {
    // Guessing tokens: past a few unknown ones an address (or a token prefix) is answered
    // 429; a known token always passes.
    let addr = client_addr(&req);
    let tenant = CallbackTokenRepo::find(&state.pool.get().await?, &token, &state.cipher).await?;
    let Some(tenant) = tenant else {
        metrics::counter!("hookrelay_callbacks_total", "outcome" => "rejected", "reason" => "unknown_token").increment(1);
        return Err(match state.auth_failures.failed(addr, Some(&token)) {
            ApiError::Unauthorized => ApiError::NotFound("callback target"),
            too_many => too_many,
        });
    };
    state.per_url.admit(&tenant.tenant_id, 1)?;
    let mut log = NewCallbackLog::default();
    let result = apply(&state, &tenant, req, payload.into_inner(), &mut log, trace).await;
    let (outcome, reason) = match &result {
        Ok(a) if a.changed => ("accepted", "applied"),
        Ok(a) if a.replayed => ("accepted", "replayed"),
        Ok(_) => ("accepted", "duplicate"),
        Err(e) => ("rejected", reason_of(e)),
    };
    metrics::counter!("hookrelay_callbacks_total", "outcome" => outcome, "reason" => reason)
        .increment(1);
    // The URL carries the tenant's secret token: log the outcome, never the path.
    tracing::info!(tenant_id = %tenant.tenant_id, post_id = ?log.post_id, outcome, reason, "callback");
    log.outcome = reason.to_string();
    log.http_status = match &result {
        Ok(_) => 200,
        Err(e) => i32::from(e.status_code().as_u16()),
    };
    // What the workflow was told (a 5xx's cause stays in our logs, not the tenant's).
    log.error = result.as_ref().err().map(|e| {
        if e.status_code().is_server_error() {
            "service temporarily unavailable".to_string()
        } else {
            e.to_string()
        }
    });
    // The outcome stands even if logging it fails: a committed change must answer 200.
    match state.pool.get().await {
        Ok(client) => {
            if let Err(e) = PostRepo::log_callback(&client, tenant.tenant_id, &log).await {
                tracing::warn!(error = %ErrorChain(&e), "could not log callback");
            }
        }
        Err(e) => tracing::warn!(error = %ErrorChain(&e), "could not log callback"),
    }
    result.map(|a| HttpResponse::Ok().json(a))
}

/// Bytes of a callback's body its log keeps.
const BODY_EXCERPT_BYTES: usize = 512;

/// The start of a body as text (NUL, which PostgreSQL text cannot hold, dropped).
fn body_excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(BODY_EXCERPT_BYTES)];
    String::from_utf8_lossy(head).replace('\0', "")
}

/// The post a body names, read loosely (`12` or `"12"`), for the log only.
fn named_post(body: &[u8]) -> Option<i64> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match &value["post_id"] {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn reason_of(e: &ApiError) -> &'static str {
    match e {
        ApiError::NotFound(_) => "unknown_post",
        ApiError::Conflict { .. } => "conflict",
        ApiError::Unauthorized | ApiError::BadSignature(_) => "bad_signature",
        ApiError::Validation { .. } => "invalid_fields",
        ApiError::BadRequest { .. } => "malformed_json",
        ApiError::PayloadTooLarge { .. } => "too_large",
        ApiError::UnsupportedMediaType(_) => "wrong_content_type",
        _ => "unavailable",
    }
}

async fn apply(
    state: &IngesterState,
    tenant: &CallbackTenant,
    req: HttpRequest,
    payload: actix_web::dev::Payload,
    log: &mut NewCallbackLog,
    trace: String,
) -> Result<CallbackAccepted, ApiError> {
    let body = read_limited(req.clone(), payload, state.max_body_bytes).await?;
    log.body_excerpt = Some(body_excerpt(&body));
    // A body refused for its shape may still name its post: the refusal shows on it.
    log.post_id = named_post(&body);
    let mut guard = None;
    if let Some(secret) = &tenant.signing_secret {
        let secret = WebhookSecret::from_stored(secret).map_err(|e| {
            tracing::error!(error = %ErrorChain(&e), "corrupt callback signing secret");
            ApiError::Unavailable(Box::new(e))
        })?;
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        let headers = SignedHeaders {
            webhook_id: header("webhook-id"),
            webhook_timestamp: header("webhook-timestamp"),
            webhook_signature: header("webhook-signature"),
            x_webhook_signature: header("x-webhook-signature"),
            x_webhook_timestamp: header("x-webhook-timestamp"),
        };
        guard = verify_request(&secret, headers, &body, Utc::now().timestamp()).map_err(|e| {
            tracing::info!(error = %ErrorChain(&e), "callback signature refused");
            ApiError::BadSignature(e.to_string())
        })?;
    }
    let report: CallbackBody = parse_json(&body)?;
    log.post_id = Some(report.post_id);
    log.status = Some(report.status.status());
    log.details = report.details.as_ref().map(|d| d.replace('\0', ""));
    if report
        .details
        .as_ref()
        .is_some_and(|d| d.len() > DETAILS_MAX_BYTES)
    {
        return Err(ApiError::validation(
            "details",
            format!("must be at most {DETAILS_MAX_BYTES} bytes"),
        ));
    }
    // PostgreSQL text cannot hold NUL: refuse it (a 503 would make workflows retry forever).
    if report.details.as_ref().is_some_and(|d| d.contains('\0')) {
        return Err(ApiError::validation(
            "details",
            "must not contain NUL characters",
        ));
    }

    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let post = PostRepo::lock(&tx, tenant.tenant_id, report.post_id)
        .await?
        .ok_or(ApiError::NotFound("callback target"))?;
    if let Some(event_id) = post.event_id {
        if let Some(scheduled) = EventRepo::traceparent(&tx, event_id).await? {
            traceparent::link(&tracing::Span::current(), &scheduled);
        }
    }
    let unchanged = |replayed| CallbackAccepted {
        post_id: post.id,
        status: post.status.as_str(),
        changed: false,
        replayed,
    };
    // A signed callback seen before while its signature is still valid changes nothing,
    // whatever the post's status has become since.
    if let Some(guard) = &guard {
        if !PostRepo::remember_receipt(&tx, tenant.tenant_id, guard).await? {
            return Ok(unchanged(true));
        }
    }
    let reported = report.status.status();
    match transition(post.status, reported) {
        Transition::Duplicate => {
            // Keep the receipt: a replay after a later change must still be refused.
            tx.commit().await?;
            Ok(unchanged(false))
        }
        Transition::Conflict => Err(ApiError::Conflict {
            code: if post.status == PostStatus::Deleted {
                "post_deleted"
            } else {
                "post_already_published"
            },
            message: format!(
                "post {} is already {}; `{reported}` cannot follow it",
                post.id, post.status
            ),
        }),
        Transition::Apply => {
            let (post, ingested) = PostRepo::change_status(
                &tx,
                tenant.tenant_id,
                post.id,
                reported,
                report.details.as_deref(),
                trace,
            )
            .await?;
            state.outbox.commit(tx, ingested).await?;
            Ok(CallbackAccepted {
                post_id: post.id,
                status: post.status.as_str(),
                changed: true,
                replayed: false,
            })
        }
    }
}
