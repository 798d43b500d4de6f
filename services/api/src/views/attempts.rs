//! How an attempt shows in the API, in one place: a delivery's attempt log
//! ([`AttemptResponse`]), a webhook's log ([`LogEntryResponse`]) and a test send's answer
//! ([`TestResult`]), each from a [`hookrelay_domain::attempt::Attempt`]. The stored
//! names become the API's here (`duration_ms` is the seeds' `execution_time` in seconds,
//! `response_body` their `response_excerpt`, `succeeded` their `success`).

use chrono::{DateTime, Utc};
use hookrelay_core::repo::attempts::LogEntry;
use hookrelay_domain::attempt::{Attempt, HeaderList, TransportFailure};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;
use uuid::Uuid;

/// Seconds, from the stored milliseconds.
fn execution_time(a: &Attempt) -> f64 {
    f64::from(a.duration_ms) / 1000.0
}

/// One attempt of a delivery.
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
    /// The receiver's `Retry-After` (seconds), when it sent one.
    pub retry_after: Option<i32>,
    /// What kind of failure `error` is, for a plain-words message.
    pub error_kind: Option<TransportFailure>,
    /// The headers sent, as `[name, value]` pairs (custom header values redacted); null
    /// when nothing was sent or the attempt predates header logging.
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub request_headers: Option<HeaderList>,
    /// The headers of the answer; null when none arrived.
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub response_headers: Option<HeaderList>,
}

fn error_kind(a: &Attempt) -> Option<TransportFailure> {
    TransportFailure::of(a.error.as_deref())
}

impl From<Attempt> for AttemptResponse {
    fn from(a: Attempt) -> Self {
        Self {
            attempt: a.number(),
            error_kind: error_kind(&a),
            started_at: a.started_at,
            duration_ms: a.duration_ms,
            response_code: a.response_code,
            response_body: a.response_body,
            error: a.error,
            succeeded: a.succeeded,
            retry_after: a.retry_after_secs,
            request_headers: a.request_headers,
            response_headers: a.response_headers,
        }
    }
}

/// One attempt (or test send) of a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryResponse {
    pub id: Uuid,
    /// Absent for a test send.
    pub delivery_id: Option<Uuid>,
    /// Absent for a test send.
    pub event_id: Option<Uuid>,
    pub event_type: String,
    /// When the attempt started.
    pub created_at: DateTime<Utc>,
    /// The attempt number within its delivery (1 for a test send).
    pub attempt: i32,
    /// HTTP status, absent when no response arrived.
    pub response_code: Option<i32>,
    /// Seconds from sending to the end of the response.
    pub execution_time: f64,
    /// Why the attempt failed without a response (timeout, connection refused...).
    pub error: Option<String>,
    /// First 4 KiB of the response body.
    pub response_excerpt: Option<String>,
    /// The exact JSON body that was sent (absent when nothing was sent).
    #[schema(value_type = Option<Object>)]
    pub payload: Option<Box<RawValue>>,
    pub success: bool,
    /// A test send (`POST /v1/webhooks/{id}/test`), not a delivery.
    pub test: bool,
    /// The receiver's `Retry-After` (seconds) with a 429 or 503.
    pub retry_after: Option<i32>,
    /// What kind of failure `error` is, for a plain-words message.
    pub error_kind: Option<TransportFailure>,
}

impl From<LogEntry> for LogEntryResponse {
    fn from(LogEntry { attempt: a, body }: LogEntry) -> Self {
        Self {
            id: a.id,
            error_kind: error_kind(&a),
            delivery_id: a.delivery_id(),
            event_id: a.event_id(),
            created_at: a.started_at,
            attempt: a.number(),
            response_code: a.response_code,
            execution_time: execution_time(&a),
            payload: body.and_then(|p| RawValue::from_string(p).ok()),
            success: a.succeeded,
            test: a.is_test(),
            retry_after: a.retry_after_secs,
            event_type: a.event_type,
            error: a.error,
            response_excerpt: a.response_body,
        }
    }
}

/// What a test send produced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TestResult {
    /// The receiver answered 2xx.
    pub success: bool,
    pub response_code: Option<u16>,
    /// Seconds from sending to the end of the response.
    pub execution_time: f64,
    /// First 4 KiB of the response body.
    pub response_excerpt: Option<String>,
    /// Why no response arrived (timeout, connection refused, private address...).
    pub error: Option<String>,
    /// The event type the test was sent as.
    pub event_type: String,
}

impl From<&Attempt> for TestResult {
    fn from(a: &Attempt) -> Self {
        Self {
            success: a.succeeded,
            response_code: a.response_code.and_then(|c| u16::try_from(c).ok()),
            execution_time: execution_time(a),
            response_excerpt: a.response_body.clone(),
            error: a.error.clone(),
            event_type: a.event_type.clone(),
        }
    }
}
