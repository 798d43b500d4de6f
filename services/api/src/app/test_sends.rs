//! Test sends: one signed POST now, exactly as a delivery would be (same body format,
//! headers, signature, timeout, redirect and private-address rules), no queue, no retries;
//! what `POST /v1/webhooks/{id}/test`, `POST /v1/webhooks/test` and a `test_first`
//! creation share.

use chrono::Utc;
use hookrelay_core::repo::attempts::AttemptRepo;
use hookrelay_core::repo::event_types::EventTypeRepo;
use hookrelay_domain::attempt::{Attempt, AttemptOf, ResultClass};
use hookrelay_domain::delivery::{EventContent, WebhookTarget};
use hookrelay_domain::payload::canonical_data;
use hookrelay_domain::{EventType, EventTypePattern, ValidationError};
use hookrelay_web::error::ApiError;
use uuid::Uuid;

use crate::state::AppState;

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

/// The data a test sends: the caller's (a JSON object, as an event's data is), else the
/// catalogue's example of the type, else `{"test": true}`.
pub fn test_data(
    asked: Option<serde_json::Value>,
    example: Option<serde_json::Value>,
) -> Result<serde_json::Value, ValidationError> {
    match asked {
        Some(v) if v.is_object() => Ok(v),
        Some(_) => Err(ValidationError::new("payload", "must be a JSON object")),
        None => Ok(example.unwrap_or_else(|| serde_json::json!({"test": true}))),
    }
}

/// Sends one test to `target` as an event of `event_type` with `payload` as its data
/// (see [`test_data`]); returns the attempt (with the body that was sent), to answer with
/// and to log.
pub async fn send_test(
    state: &AppState,
    tenant_id: Uuid,
    target: &WebhookTarget,
    event_type: &EventType,
    payload: Option<serde_json::Value>,
    trace: &str,
) -> Result<Attempt, ApiError> {
    // A refused payload costs no test send.
    let payload = payload.map(|p| test_data(Some(p), None)).transpose()?;
    state.admit_test_send(tenant_id)?;
    // The catalogue's example shows the receiver the real structure.
    let example = match payload {
        Some(_) => None,
        None => {
            let client = state.pool.get().await?;
            EventTypeRepo::get(&client, tenant_id, event_type.as_str())
                .await?
                .and_then(|e| e.example)
        }
    };
    let data = test_data(payload, example)?;
    let event = EventContent {
        id: Uuid::now_v7(),
        event_type: event_type.as_str().to_string(),
        data: canonical_data(&data),
        occurred_at: Utc::now(),
    };
    let request = state.sender.signed_request(
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

    #[test]
    fn test_data_is_the_callers_object_else_the_example() {
        use serde_json::json;
        #[rustfmt::skip]
        let rows = [
            (Some(json!({"a": 1})), Some(json!({"b": 2})), Ok(json!({"a": 1}))),
            (None, Some(json!({"b": 2})), Ok(json!({"b": 2}))),
            (None, None, Ok(json!({"test": true}))),
            (Some(json!([1])), None, Err("payload")),
            (Some(json!("x")), None, Err("payload")),
        ];
        for (asked, example, want) in rows {
            let got = test_data(asked.clone(), example).map_err(|e| e.field);
            assert_eq!(got, want.map_err(String::from), "{asked:?}");
        }
    }
}
