//! One delivery attempt: build and sign the body, POST it, and turn the answer into the
//! row to record and the retry to schedule. What to do with a job and what an answer
//! means are the domain's pure decisions (`hookrelay_domain::delivery::{decide, judge}`);
//! this module is their I/O.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hookrelay_core::lifecycle::DisableReason;
use hookrelay_core::repo::attempts::AttemptRecord;
use hookrelay_core::sender::WebhookSender;
use hookrelay_domain::attempt::{Attempt, AttemptOf, ResultClass};
use hookrelay_domain::delivery::{
    judge, Answer, DeliveryJob, DeliveryStatus, DispatchContext, RetrySchedule, Verdict,
    WebhookTarget,
};
use hookrelay_domain::CorruptValue;

/// The result of an attempt: the row to record and, on a retryable failure, the job of
/// the next attempt with its delay.
#[derive(Debug)]
pub struct AttemptOutcome {
    pub record: AttemptRecord,
    pub retry: Option<(DeliveryJob, Duration)>,
    /// The receiver said the webhook is gone (410): disable it.
    pub disable: Option<DisableReason>,
    pub class: ResultClass,
    pub duration: Duration,
    /// The receiver's answer as the decisions see it (the scheduler's breaker and pauses).
    pub answer: Answer,
}

/// How failed attempts are retried: the installation's default schedule (a webhook may
/// have its own) and the cap of a receiver's `Retry-After`.
#[derive(Debug, Clone)]
pub struct RetryRules {
    pub default_schedule: RetrySchedule,
    pub max_retry_after: Duration,
}

/// Builds, signs and sends attempt number `attempt` of `ctx` to `target`, and judges the
/// answer under the webhook's schedule (else the default).
pub async fn perform(
    sender: &WebhookSender,
    rules: &RetryRules,
    job: &DeliveryJob,
    ctx: &DispatchContext,
    target: &WebhookTarget,
    attempt: u32,
    traceparent: &str,
) -> AttemptOutcome {
    let request = sender.signed_request(
        target,
        &ctx.event,
        attempt,
        Utc::now().timestamp(),
        // The delivery span's own context: the receiver's work is its child.
        Some(traceparent),
    );
    let result = sender.send(target.url.url(), request).await;
    tracing::debug!(status = ?result.status, class = result.class.as_str(), duration_ms = result.duration.as_millis() as u64, "attempt finished");
    let schedule = target
        .retry_schedule
        .as_ref()
        .unwrap_or(&rules.default_schedule);
    let answer = result.answer();
    let verdict = judge(
        &answer,
        ctx.schedule_position(attempt),
        schedule,
        rules.max_retry_after,
    );
    let (new_status, next_attempt_at) = verdict.outcome(Utc::now());
    let retry = match verdict {
        Verdict::RetryAfter(delay) => Some((
            DeliveryJob::new(
                job.delivery_id(),
                attempt.saturating_add(1),
                job.traceparent().map(str::to_string),
            )
            // Back through its own shard, to the dispatcher that keeps its limits.
            .to(ctx.endpoint())
            .due_at(next_attempt_at),
            delay,
        )),
        Verdict::Delivered | Verdict::GiveUp | Verdict::Gone => None,
    };
    let (class, duration) = (result.class, result.duration);
    let sent = Attempt {
        payload_format: Some(target.payload_format),
        succeeded: verdict == Verdict::Delivered,
        ..unsent(ctx, attempt, result.started_at)
    };
    AttemptOutcome {
        record: AttemptRecord {
            attempt: result.into_attempt(sent),
            new_status,
            next_attempt_at,
        },
        retry,
        disable: (verdict == Verdict::Gone).then_some(DisableReason::Gone),
        class,
        duration,
        answer,
    }
}

/// The record of an attempt that could not be made because the webhook's stored row is
/// corrupt: the delivery fails at once, with the reason in its log.
pub fn unsendable(
    ctx: &DispatchContext,
    attempt: u32,
    reason: &CorruptValue,
    now: DateTime<Utc>,
) -> AttemptRecord {
    AttemptRecord {
        attempt: Attempt {
            error: Some(format!("not sent: {reason}")),
            ..unsent(ctx, attempt, now)
        },
        new_status: DeliveryStatus::Failed,
        next_attempt_at: None,
    }
}

/// Attempt `attempt` of `ctx`, begun at `started_at`, with nothing sent yet.
fn unsent(ctx: &DispatchContext, attempt: u32, started_at: DateTime<Utc>) -> Attempt {
    Attempt::unsent(
        ctx.tenant_id,
        ctx.webhook_id,
        AttemptOf::Delivery {
            delivery_id: ctx.delivery_id,
            event_id: ctx.event.id,
            number: i32::try_from(attempt).unwrap_or(i32::MAX),
        },
        ctx.event.event_type.clone(),
        started_at,
    )
}
