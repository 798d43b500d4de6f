//! Creating a webhook: with `test_first`, a test send to the new configuration must pass
//! before anything is saved, and is then logged as the new webhook's first log entry.

use hookrelay_core::repo::webhooks::{NewWebhook, WebhookRecord, WebhookRepo};
use hookrelay_domain::delivery::WebhookTarget;
use hookrelay_web::error::{ApiError, Rejection};
use uuid::Uuid;

use crate::app::test_sends::{log_test, pattern_names, send_test, test_event_type};
use crate::state::AppState;
use crate::views::attempts::TestResult;

/// Saves `new` for `tenant_id` within `limits.webhooks_per_tenant`; with `test_first`,
/// only once a test send to it succeeded (else 422 `test_failed` with the result).
pub async fn create(
    state: &AppState,
    tenant_id: Uuid,
    new: NewWebhook,
    test_first: bool,
    trace: &str,
) -> Result<WebhookRecord, ApiError> {
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
