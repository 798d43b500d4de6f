//! The CloudEvents validation handshake, as a webhook's creation or URL change needs it:
//! ask the receiver (`WebhookSender::handshake`), judge its answer
//! (`hookrelay_domain::handshake::judge`), and either say what rate it granted or refuse
//! with a 422 `handshake_refused` that carries the receiver's answer.

use hookrelay_domain::flow::RateLimit;
use hookrelay_domain::handshake::{judge, requested_rate_per_minute, AllowedRate};
use hookrelay_domain::WebhookUrl;
use hookrelay_web::error::{ApiError, Rejection};

use crate::state::AppState;

/// Runs the handshake against `url`, asking for the rate of `rate_limit`; the rate the
/// receiver allowed, or the 422. Counted as a test send of `tenant_id` (it is one request
/// to a URL the tenant chose, and says what came back).
pub async fn run(
    state: &AppState,
    tenant_id: uuid::Uuid,
    url: &WebhookUrl,
    rate_limit: Option<RateLimit>,
) -> Result<AllowedRate, ApiError> {
    state.admit_test_send(tenant_id)?;
    let answer = state
        .sender
        .handshake(url.url(), requested_rate_per_minute(rate_limit))
        .await;
    let allowed = judge(&answer, &state.settings.delivery.request_origin);
    metrics::counter!("hookrelay_handshakes_total", "allowed" => if allowed.is_ok() { "true" } else { "false" })
        .increment(1);
    allowed.map_err(|why| {
        ApiError::Rejected(Box::new(Rejection {
            code: "handshake_refused",
            field: "url".into(),
            message: format!("{why}; the webhook was not saved"),
            detail: serde_json::to_value(&answer).unwrap_or_default(),
        }))
    })
}
