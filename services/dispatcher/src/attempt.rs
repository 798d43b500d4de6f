//! One delivery attempt: decide whether it is due, build and sign the body, POST it, and
//! turn the result into what must be recorded and what happens next.

use std::time::Duration;

use chrono::Utc;
use hookrelay_core::domain::WebhookSecret;
use hookrelay_core::payload::build_body;
use hookrelay_core::queue::DeliveryJob;
use hookrelay_core::repo::deliveries::{status, AttemptRecord, DispatchContext};
use hookrelay_core::signing::signature_header;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};

use crate::sender::WebhookSender;

/// When retries happen: delay before retry 1, 2, 3...
#[derive(Debug, Clone)]
pub struct RetrySchedule {
    delays_secs: Vec<u64>,
}

impl RetrySchedule {
    pub fn new(delays_secs: &[u64]) -> Self {
        Self {
            delays_secs: delays_secs.to_vec(),
        }
    }

    /// The delay after failed attempt `attempt` (1-based), or `None` when it was the last.
    pub fn delay_after(&self, attempt: u32) -> Option<u64> {
        let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
        self.delays_secs.get(index).copied()
    }

    /// The total number of attempts: the first plus one per retry.
    pub fn max_attempts(&self) -> usize {
        self.delays_secs.len() + 1
    }
}

/// What to do with a job after looking at its delivery.
#[derive(Debug)]
pub enum Plan {
    /// Duplicate or stale job: the attempt is recorded or the delivery is finished.
    Skip(&'static str),
    /// The webhook was deleted or disabled.
    Cancel,
    /// Make attempt number `attempt`.
    Attempt { attempt: u32 },
}

/// Decides what a job means given the delivery's current state.
pub fn plan(job: &DeliveryJob, ctx: &DispatchContext) -> Plan {
    if ctx.status != status::PENDING {
        return Plan::Skip("delivery already finished");
    }
    let done = u32::try_from(ctx.attempts).unwrap_or(0);
    if job.attempt <= done {
        return Plan::Skip("attempt already recorded");
    }
    match &ctx.webhook {
        None => Plan::Cancel,
        Some(w) if !w.enabled => Plan::Cancel,
        // The next attempt is always the one after the recorded ones, even if the job
        // (e.g. from an older sweep) says otherwise.
        Some(_) => Plan::Attempt { attempt: done + 1 },
    }
}

/// The result of an attempt: the row to record and, on a retryable failure, the job of
/// the next attempt with its delay.
#[derive(Debug)]
pub struct AttemptOutcome {
    pub record: AttemptRecord,
    pub retry: Option<(DeliveryJob, u64)>,
    pub class: &'static str,
    pub duration: Duration,
}

/// Builds, signs and sends one attempt.
pub async fn perform(
    sender: &WebhookSender,
    schedule: &RetrySchedule,
    job: &DeliveryJob,
    ctx: &DispatchContext,
    attempt: u32,
    traceparent: &str,
) -> AttemptOutcome {
    let webhook = ctx
        .webhook
        .as_ref()
        .expect("plan() only attempts deliveries whose webhook exists");
    let body = build_body(
        webhook.payload_format,
        &ctx.event_type,
        ctx.event_id,
        ctx.occurred_at,
        &ctx.data,
    );
    let timestamp = Utc::now().timestamp();
    let msg_id = ctx.event_id.to_string();
    let secrets: Vec<WebhookSecret> = std::iter::once(&webhook.secret)
        .chain(webhook.previous_secret.iter())
        .filter_map(|s| WebhookSecret::parse(s).ok())
        .collect();
    let secret_refs: Vec<&WebhookSecret> = secrets.iter().collect();
    let signature = signature_header(&secret_refs, &msg_id, timestamp, &body);

    let mut headers = HeaderMap::with_capacity(8 + webhook.headers.len());
    for (name, value) in &webhook.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(n, v);
        }
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    set("webhook-id", msg_id.clone());
    set("webhook-timestamp", timestamp.to_string());
    set("webhook-signature", signature);
    set("x-webhook-event", ctx.event_type.clone());
    set("x-webhook-attempt", attempt.to_string());
    // The delivery span's own context: the receiver's work is its child.
    set("traceparent", traceparent.to_string());

    let result = sender.send(&webhook.url, headers, body).await;
    let succeeded = result.succeeded();
    tracing::debug!(status = ?result.status, class = result.class, duration_ms = result.duration.as_millis() as u64, "attempt finished");
    let retry_delay = if succeeded {
        None
    } else {
        schedule.delay_after(attempt)
    };
    let (new_status, next_attempt_at) = match (succeeded, retry_delay) {
        (true, _) => (status::SUCCEEDED, None),
        (false, Some(delay)) => (
            status::PENDING,
            Some(
                Utc::now()
                    + chrono::Duration::seconds(i64::try_from(delay).unwrap_or(i64::MAX / 2)),
            ),
        ),
        (false, None) => (status::FAILED, None),
    };
    let retry = retry_delay.map(|delay| {
        (
            DeliveryJob {
                attempt: attempt + 1,
                ..job.clone()
            },
            delay,
        )
    });
    AttemptOutcome {
        record: AttemptRecord {
            delivery_id: ctx.delivery_id,
            tenant_id: ctx.tenant_id,
            attempt_no: i32::try_from(attempt).unwrap_or(i32::MAX),
            started_at: result.started_at,
            duration_ms: i32::try_from(result.duration.as_millis()).unwrap_or(i32::MAX),
            response_code: result.status.map(i32::from),
            response_body: result.body_excerpt,
            error: result.error,
            succeeded,
            new_status,
            next_attempt_at,
        },
        retry,
        class: result.class,
        duration: result.duration,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedule_is_5_25_125_then_failed() {
        let s = RetrySchedule::new(&[5, 25, 125]);
        assert_eq!(s.delay_after(1), Some(5));
        assert_eq!(s.delay_after(2), Some(25));
        assert_eq!(s.delay_after(3), Some(125));
        assert_eq!(s.delay_after(4), None);
        assert_eq!(s.delay_after(0), None);
        assert_eq!(s.max_attempts(), 4);
    }
}
