//! Running one job the scheduler has let start: load its delivery, decide what it means
//! (`hookrelay_domain::delivery::decide`), make the attempt, and hand the result to the
//! recorder; what happened goes back to the scheduler ([`Ran`]).

use std::time::Duration;

use hookrelay_core::report::ErrorChain;
use hookrelay_core::sender::WebhookSender;
use hookrelay_core::telemetry::traceparent;
use hookrelay_domain::delivery::{
    decide, Answer, DeliveryJob, DispatchContext, JobDecision, Stale,
};
use hookrelay_domain::flow::StoredFlow;
use tokio::sync::mpsc;
use tracing::Instrument;
use uuid::Uuid;

use crate::attempt::{perform, unsendable, RetryRules};
use crate::loader::{ContextLoader, LoadError};
use crate::settle::{Acknowledge, Finished, InFlight, Part};

/// How long a job waits before going back to the queue when its delivery is in flight.
const DUPLICATE_REQUEUE_DELAY: Duration = Duration::from_millis(500);

/// What every job task shares.
#[derive(Clone)]
pub struct WorkerContext {
    pub contexts: ContextLoader,
    pub sender: WebhookSender,
    pub retry: RetryRules,
    pub in_flight: InFlight,
    pub finished: mpsc::Sender<Finished<Part<lapin::Acker>>>,
}

impl WorkerContext {
    /// Hands a finished job to the recorder, which commits and settles it.
    pub async fn finish(&self, finished: Finished<Part<lapin::Acker>>) {
        if self.finished.send(finished).await.is_err() {
            // The recorder is gone (shutting down): the unacked job is redelivered later.
            tracing::warn!("recorder stopped; job left unacked");
        }
    }
}

/// What the scheduler learns from a job that ran.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ran {
    /// The webhook's limits and circuit as stored now (when the delivery was loaded).
    pub flow: Option<StoredFlow>,
    /// The request made, if one was.
    pub attempt: Option<Sent>,
}

/// One request to the receiver and its answer.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    pub answer: Answer,
    pub duration: Duration,
}

/// Runs one job and hands its result to the recorder.
pub async fn run(
    worker: &WorkerContext,
    job: DeliveryJob,
    ready_at: Option<chrono::DateTime<chrono::Utc>>,
    acker: Part<lapin::Acker>,
) -> Ran {
    // Time waiting in the work queue (a retry's delay queue not counted).
    if let Some(at) = ready_at {
        let queued = (chrono::Utc::now() - at).to_std().unwrap_or_default();
        metrics::histogram!("hookrelay_job_queued_seconds").record(queued.as_secs_f64());
    }
    // One span per job, in the trace of the event's API request; the receiver's POST is
    // its child.
    let span = tracing::info_span!(
        "delivery",
        otel.name = "POST webhook",
        otel.kind = "client",
        delivery_id = %job.delivery_id(),
        event_id = tracing::field::Empty,
        attempt = tracing::field::Empty,
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        result = tracing::field::Empty,
    );
    let traceparent = traceparent::continue_trace(&span, job.traceparent());
    let (finished, ran) = process(worker, job, acker, &traceparent)
        .instrument(span)
        .await;
    worker.finish(finished).await;
    ran
}

async fn process<A: Acknowledge>(
    worker: &WorkerContext,
    job: DeliveryJob,
    acker: A,
    traceparent: &str,
) -> (Finished<A>, Ran) {
    let id = job.delivery_id();
    let Some(hold) = worker.in_flight.claim(id) else {
        // The same delivery is being attempted right now. This copy may be a stale
        // duplicate or the genuine next job, so hand it back after a pause instead of
        // dropping it: once the running attempt is recorded it is recognised for what it is.
        // The pause runs on its own task so that it does not hold one of the webhook's
        // concurrency slots (a FIFO lane's next head often meets its own original job).
        tokio::spawn(hand_back(acker, DUPLICATE_REQUEUE_DELAY));
        return (Finished::Nothing, Ran::default());
    };
    let loading = std::time::Instant::now();
    let ctx = match worker.contexts.load(id).await {
        Ok(ctx) => ctx,
        Err(e) => {
            drop(hold);
            return (requeue(acker, id, &e).await, Ran::default());
        }
    };
    metrics::histogram!("hookrelay_context_load_seconds").record(loading.elapsed().as_secs_f64());
    let mut ran = Ran {
        flow: ctx.as_ref().map(|c| c.flow),
        attempt: None,
    };
    let finished = match decide(&job, ctx.as_ref()) {
        JobDecision::AlreadyDone(stale) => {
            tracing::debug!(delivery = %id, reason = stale.as_str(), "skipping job");
            if stale != Stale::Missing {
                metrics::counter!("hookrelay_jobs_skipped_total").increment(1);
            }
            Finished::Skipped {
                acker,
                hold: Some(hold),
            }
        }
        JobDecision::Cancel => Finished::Cancelled {
            acker,
            hold: Some(hold),
            delivery_id: id,
            lane: lane_of(ctx.as_ref()),
        },
        JobDecision::Behind(head) => {
            // Not its turn: its lane publishes it again when the head is done.
            tracing::debug!(delivery = %id, behind = %head, "job before its turn in a FIFO lane; dropped");
            metrics::counter!("hookrelay_fifo_out_of_turn_total").increment(1);
            // Released now, not when the recorder acks: the job its lane publishes when
            // the head is recorded can come before this ack, and must not wait as a
            // duplicate of this one.
            drop(hold);
            Finished::Skipped { acker, hold: None }
        }
        JobDecision::Fail {
            attempt,
            ctx,
            reason,
        } => {
            tracing::error!(delivery = %id, error = %ErrorChain(reason), "delivery failed unsent: its webhook's stored row is corrupt");
            metrics::counter!("hookrelay_attempts_total", "result" => "corrupt").increment(1);
            Finished::Attempted {
                acker,
                hold: Some(hold),
                record: Box::new(unsendable(ctx, attempt, reason, chrono::Utc::now())),
                retry: None,
                disable: None,
                end_to_end_secs: None,
                lane: lane_of(Some(ctx)),
            }
        }
        JobDecision::Send {
            attempt,
            ctx,
            target,
        } => {
            let span = tracing::Span::current();
            span.record("event_id", tracing::field::display(ctx.event.id));
            span.record("attempt", attempt);
            let outcome = perform(
                &worker.sender,
                &worker.retry,
                &job,
                ctx,
                target,
                attempt,
                traceparent,
            )
            .await;
            if let Some(status) = outcome.record.attempt.response_code {
                span.record("http.response.status_code", status);
            }
            span.record("result", outcome.class.as_str());
            metrics::counter!("hookrelay_attempts_total", "result" => outcome.class.as_str())
                .increment(1);
            metrics::histogram!("hookrelay_attempt_duration_seconds", "result" => outcome.class.as_str())
                .record(outcome.duration.as_secs_f64());
            let end_to_end_secs = outcome.record.attempt.succeeded.then(|| {
                (chrono::Utc::now() - ctx.created_at)
                    .to_std()
                    .map(|d| d.as_secs_f64())
                    .unwrap_or(0.0)
            });
            ran.attempt = Some(Sent {
                answer: outcome.answer,
                duration: outcome.duration,
            });
            Finished::Attempted {
                acker,
                hold: Some(hold),
                record: Box::new(outcome.record),
                retry: outcome.retry,
                disable: outcome.disable,
                end_to_end_secs,
                lane: lane_of(Some(ctx)),
            }
        }
    };
    (finished, ran)
}

/// The FIFO lane a delivery is in, which moves on when the delivery is done.
fn lane_of(ctx: Option<&DispatchContext>) -> Option<i64> {
    ctx?.lane.map(|spot| spot.lane_id)
}

/// The database is unavailable: give the job back to the broker and try later.
async fn requeue<A: Acknowledge>(acker: A, id: Uuid, e: &LoadError) -> Finished<A> {
    tracing::error!(error = %ErrorChain(e), delivery = %id, "cannot load delivery; requeueing");
    // Slow down instead of spinning through the queue while the database is away.
    hand_back(acker, Duration::from_millis(500)).await
}

/// Returns a job to the queue after `delay`; nothing is left for the recorder.
pub async fn hand_back<A: Acknowledge>(acker: A, delay: Duration) -> Finished<A> {
    tokio::time::sleep(delay).await;
    if let Err(e) = acker.requeue().await {
        tracing::warn!(error = %ErrorChain(e.as_ref()), "requeue failed; the broker redelivers the job when the channel closes");
    }
    Finished::Nothing
}
