//! Creating a webhook: with a `cloudevents` handshake, its receiver must allow this
//! installation first (and may set its rate); with `test_first`, a test send to the new
//! configuration must pass before anything is saved, and is then logged as the new
//! webhook's first log entry.

use chrono::{DateTime, Utc};
use hookrelay_core::repo::webhooks::{NewWebhook, WebhookPatch, WebhookRecord, WebhookRepo};
use hookrelay_domain::delivery::WebhookTarget;
use hookrelay_domain::flow::RateLimit;
use hookrelay_domain::signing::check_profile;
use hookrelay_domain::{SignatureProfile, SignatureScheme, WebhookSecret, WebhookUrl};
use hookrelay_web::error::{ApiError, Rejection};
use uuid::Uuid;

use crate::app::handshakes;
use crate::app::test_sends::{log_test, pattern_names, send_test, test_event_type};
use crate::state::AppState;
use crate::views::attempts::TestResult;

/// Saves `new` for `tenant_id` within `limits.webhooks_per_tenant`; with `test_first`,
/// only once a test send to it succeeded (else 422 `test_failed` with the result); with a
/// handshake, only once its receiver allowed it (else 422 `handshake_refused`).
pub async fn create(
    state: &AppState,
    tenant_id: Uuid,
    mut new: NewWebhook,
    test_first: bool,
    trace: &str,
) -> Result<WebhookRecord, ApiError> {
    if new.handshake.is_some() {
        let allowed = handshakes::run(state, tenant_id, &new.url, new.rate_limit).await?;
        new.rate_limit = allowed.apply(new.rate_limit);
    }
    let tested = if test_first {
        let target = WebhookTarget {
            url: new.url.clone(),
            payload_format: new.payload_format,
            headers: new.headers.clone(),
            secret: new.secret.clone(),
            previous_secret: None,
            retry_schedule: None,
            webhook_id: Uuid::nil(),
            signature_profile: new.signature_profile,
            handshake: new.handshake,
        };
        let event_type = test_event_type(None, &pattern_names(&new.event_types))?;
        let attempt = send_test(state, tenant_id, &target, &event_type, None, trace).await?;
        if !attempt.succeeded {
            return Err(ApiError::Rejected(Box::new(Rejection {
                code: "test_failed",
                field: "url".into(),
                message: "the test send failed; the webhook was not saved".into(),
                detail: serde_json::to_value(TestResult::from(&attempt)).unwrap_or_default(),
            })));
        }
        Some(attempt)
    } else {
        None
    };
    let mut client = state.pool.get().await?;
    let cap = state.settings.limits.webhooks_per_tenant;
    let record = WebhookRepo::insert_capped(&mut client, tenant_id, new, &state.cipher, cap)
        .await?
        .ok_or_else(|| {
            ApiError::limit_reached(
                "webhooks",
                format!("a tenant may have at most {cap} webhooks (limits.webhooks_per_tenant)"),
            )
        })?;
    drop(client);
    if let Some(attempt) = tested {
        log_test(state, record.id, attempt).await?;
    }
    Ok(record)
}

/// Checks a change against the webhook as it is, where the change alone cannot say: the
/// `x-webhook` profile needs an HMAC key, and a webhook with a handshake (or gaining one)
/// must pass it again when its URL or its rate limit changes, the receiver's rate then
/// bounding the new one. Holds a connection only to read the webhook, not during the
/// handshake.
pub async fn check_update(
    state: &AppState,
    tenant_id: Uuid,
    id: Uuid,
    mut patch: WebhookPatch,
) -> Result<WebhookPatch, ApiError> {
    let to_x_webhook = patch.signature_profile == Some(SignatureProfile::XWebhook);
    let handshake_asked = matches!(patch.handshake, Some(Some(_)));
    let rate_changed = patch.rate_limit.is_some() || patch.rate_limit_period.is_some();
    if !to_x_webhook && !handshake_asked && patch.url.is_none() && !rate_changed {
        return Ok(patch);
    }
    let current = {
        let client = state.pool.get().await?;
        WebhookRepo::get(&client, tenant_id, id)
            .await?
            .ok_or(ApiError::NotFound("webhook"))?
    };
    if to_x_webhook {
        check_profile(
            SignatureProfile::XWebhook,
            current.signature_scheme(),
            "signature_profile",
        )?;
    }
    let handshake = patch.handshake.unwrap_or(current.handshake);
    if handshake.is_none() || !(handshake_asked || patch.url.is_some() || rate_changed) {
        return Ok(patch);
    }
    let url = match &patch.url {
        Some(url) => url.clone(),
        None => WebhookUrl::parse(&current.url)?,
    };
    let period = patch.rate_limit_period.unwrap_or(current.rate_limit_period);
    let asked = match patch.rate_limit {
        Some(Some(n)) => Some(RateLimit::parse(i64::from(n), Some(period))?),
        Some(None) => None,
        None => current
            .flow
            .rate_limit
            .map(|r| RateLimit::parse(i64::from(r.count()), Some(period)))
            .transpose()?,
    };
    let granted = handshakes::run(state, tenant_id, &url, asked)
        .await?
        .apply(asked);
    if granted != asked {
        patch.rate_limit = Some(granted.map(RateLimit::count));
        patch.rate_limit_period = granted.map(RateLimit::period);
    }
    Ok(patch)
}

/// Replaces a webhook's signing key by the one given, or a fresh one of `scheme` (by
/// default the webhook's; a key given decides its own); the old one keeps signing for
/// `grace_secs`. Returns the new key and when the old one stops.
pub async fn rotate_secret(
    state: &AppState,
    tenant_id: Uuid,
    id: Uuid,
    given: Option<&str>,
    scheme: Option<SignatureScheme>,
    grace_secs: u64,
) -> Result<(WebhookSecret, DateTime<Utc>), ApiError> {
    let client = state.pool.get().await?;
    let current = WebhookRepo::get(&client, tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    let scheme = match given {
        Some(_) => scheme,
        None => scheme.or(Some(current.signature_scheme())),
    };
    let secret = WebhookSecret::given_or_generated(given, scheme)?;
    check_profile(
        current.signature_profile,
        secret.scheme(),
        "signature_scheme",
    )?;
    let expires = WebhookRepo::rotate_secret(
        &client,
        tenant_id,
        id,
        &secret,
        grace_secs as f64,
        &state.cipher,
    )
    .await?
    .ok_or(ApiError::NotFound("webhook"))?;
    Ok((secret, expires))
}
