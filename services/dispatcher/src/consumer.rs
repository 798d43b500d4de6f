//! Consumes the work queue: each job (a message holds one or several) runs as its own
//! task, bounded by `max_in_flight`; finished jobs go to the recorder, which commits and
//! acks them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use hookrelay_core::queue::{decode_jobs, BrokerNodes, QueueError, ReceivedJob, Topology};
use hookrelay_core::report::ErrorChain;
use hookrelay_core::telemetry::traceparent;
use hookrelay_domain::delivery::{decide, DeliveryJob, JobDecision, Stale};
use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

use crate::attempt::{perform, unsendable, RetryRules};
use crate::loader::{ContextLoader, LoadError};
use crate::parts::{self, Part};
use crate::recorder::{Acknowledge, Finished, InFlight};
use hookrelay_core::sender::WebhookSender;

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
    async fn finish(&self, finished: Finished<Part<lapin::Acker>>) {
        if self.finished.send(finished).await.is_err() {
            // The recorder is gone (shutting down): the unacked job is redelivered later.
            tracing::warn!("recorder stopped; job left unacked");
        }
    }
}

/// Consumer settings.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    pub nodes: BrokerNodes,
    pub topology: Topology,
    pub prefetch: u16,
    pub max_in_flight: usize,
}

/// The broker link of a stopped consumer. Its in-flight jobs can only be acked over this
/// channel, so it must outlive the recorder's last batch: drop it after the recorder ends.
pub struct OpenChannel {
    _connection: lapin::Connection,
    _channel: lapin::Channel,
}

/// A consumer that received nothing for this long, with nothing in flight while its queue
/// holds ready jobs, is reattached.
const STALL_AFTER: Duration = Duration::from_secs(10);

/// How long connecting and attaching a consumer may take before it is tried again.
const SETUP_TIMEOUT: Duration = Duration::from_secs(15);

/// Consumes until `stop` is cancelled, reconnecting when the broker goes away. `running`
/// tells readiness probes whether a consumer is attached. Returns once every started job
/// has been handed to the recorder, with the channel those jobs must be acked on.
pub async fn run(
    settings: ConsumerSettings,
    worker: WorkerContext,
    running: Arc<AtomicBool>,
    stop: CancellationToken,
) -> Option<OpenChannel> {
    let permits = Arc::new(Semaphore::new(settings.max_in_flight));
    let mut backoff = Duration::from_millis(200);
    let mut open = None;
    while !stop.is_cancelled() {
        match consume(&settings, &worker, &permits, &running, &stop).await {
            Ok(kept) => {
                open = kept;
                backoff = Duration::from_millis(200);
            }
            Err(e) => {
                tracing::warn!(error = %ErrorChain(&e), "consumer stopped; reconnecting");
            }
        }
        running.store(false, Ordering::SeqCst);
        metrics::gauge!("hookrelay_consumer_running").set(0.0);
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
    // Let every started job finish and reach the recorder before returning.
    let total = u32::try_from(settings.max_in_flight).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(30), permits.acquire_many(total)).await;
    open
}

async fn consume(
    settings: &ConsumerSettings,
    worker: &WorkerContext,
    permits: &Arc<Semaphore>,
    running: &Arc<AtomicBool>,
    stop: &CancellationToken,
) -> Result<Option<OpenChannel>, QueueError> {
    let tag = format!("hookrelay-dispatcher-{}", Uuid::new_v4().simple());
    let setup = async {
        let connection = settings.nodes.connect(Duration::from_secs(5)).await?;
        let channel = connection.create_channel().await?;
        settings.topology.declare(&channel).await?;
        channel
            .basic_qos(settings.prefetch, BasicQosOptions::default())
            .await?;
        let consumer = channel
            .basic_consume(
                settings.topology.work_queue().into(),
                tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        Ok::<_, QueueError>((connection, channel, consumer))
    };
    // A cluster that is electing a new queue leader can leave a declare or consume
    // unanswered: give up and reconnect (to another node) rather than wait forever, and
    // stop at once when asked to.
    let (connection, channel, mut consumer) = tokio::select! {
        _ = stop.cancelled() => return Ok(None),
        set_up = tokio::time::timeout(SETUP_TIMEOUT, setup) => {
            set_up.map_err(|_| QueueError::SetupTimeout)??
        }
    };
    running.store(true, Ordering::SeqCst);
    metrics::gauge!("hookrelay_consumer_running").set(1.0);
    tracing::info!(queue = %settings.topology.work_queue(), prefetch = settings.prefetch, "consuming");
    let mut last_delivery = std::time::Instant::now();
    let mut stall_check = tokio::time::interval(STALL_AFTER);
    loop {
        tokio::select! {
            _ = stop.cancelled() => {
                // Stop receiving, but keep the channel open: in-flight jobs still need acks.
                let _ = channel.basic_cancel(tag.as_str().into(), BasicCancelOptions::default()).await;
                return Ok(Some(OpenChannel { _connection: connection, _channel: channel }));
            }
            _ = stall_check.tick() => {
                let idle = last_delivery.elapsed() >= STALL_AFTER
                    && permits.available_permits() == settings.max_in_flight;
                if idle {
                    let ready = channel
                        .queue_declare(
                            settings.topology.work_queue().into(),
                            QueueDeclareOptions { passive: true, ..Default::default() },
                            FieldTable::default(),
                        )
                        .await?
                        .message_count();
                    if ready > 0 {
                        // Seen with a quorum queue whose leader node was lost: the consumer
                        // attached during the election stays attached and gets nothing.
                        tracing::warn!(ready, "consumer idle while jobs wait; reattaching");
                        metrics::counter!("hookrelay_consumer_stalls_total").increment(1);
                        return Err(QueueError::Stalled);
                    }
                }
            }
            next = consumer.next() => {
                let Some(delivery) = next else { return Ok(None) };
                let delivery = delivery?;
                last_delivery = std::time::Instant::now();
                let kind = delivery.properties.kind().as_ref().map(|k| k.as_str());
                let jobs = match decode_jobs(kind, delivery.data.as_slice()) {
                    Ok(jobs) => jobs,
                    Err(e) => {
                        tracing::error!(error = %ErrorChain(&e), "undecodable job message; dropping it");
                        let skipped = Finished::Skipped {
                            acker: parts::split(delivery.acker, 1).remove(0),
                            delivery_id: None,
                        };
                        worker.finish(skipped).await;
                        continue;
                    }
                };
                let jobs = distinct(jobs);
                let shares = parts::split(delivery.acker, jobs.len());
                for ((job, ready_at), part) in jobs.into_iter().zip(shares) {
                    let permit = Arc::clone(permits)
                        .acquire_owned()
                        .await
                        .expect("semaphore is never closed");
                    let worker = worker.clone();
                    tokio::spawn(async move {
                        metrics::gauge!("hookrelay_jobs_in_flight").increment(1.0);
                        handle(worker, job, ready_at, part).await;
                        metrics::gauge!("hookrelay_jobs_in_flight").decrement(1.0);
                        drop(permit);
                    });
                }
            }
        }
    }
}

/// The jobs of a message, each delivery once: two parts of one message for the same
/// delivery would find each other in flight and requeue the message again and again.
fn distinct(mut jobs: Vec<ReceivedJob>) -> Vec<ReceivedJob> {
    let mut seen = std::collections::HashSet::with_capacity(jobs.len());
    jobs.retain(|(job, _)| seen.insert(job.delivery_id()));
    jobs
}

/// Processes one job and hands the result to the recorder.
async fn handle(
    worker: WorkerContext,
    job: DeliveryJob,
    ready_at: Option<chrono::DateTime<chrono::Utc>>,
    acker: Part<lapin::Acker>,
) {
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
    let finished = process(&worker, job, acker, &traceparent)
        .instrument(span)
        .await;
    worker.finish(finished).await;
}

async fn process<A: Acknowledge>(
    worker: &WorkerContext,
    job: DeliveryJob,
    acker: A,
    traceparent: &str,
) -> Finished<A> {
    let id = job.delivery_id();
    if let Some(wait) = job.early(chrono::Utc::now()) {
        // Its delay is longer than the delay queue it came through: round again.
        metrics::counter!("hookrelay_jobs_deferred_total").increment(1);
        return Finished::Deferred { acker, job, wait };
    }
    let fresh = worker
        .in_flight
        .lock()
        .map(|mut set| set.insert(id))
        .unwrap_or(true);
    if !fresh {
        // The same delivery is being attempted right now. This copy may be a stale
        // duplicate or the genuine next job, so hand it back after a pause instead of
        // dropping it: once the running attempt is recorded it is recognised for what it is.
        return hand_back(acker, DUPLICATE_REQUEUE_DELAY).await;
    }
    let loading = std::time::Instant::now();
    let ctx = match worker.contexts.load(id).await {
        Ok(ctx) => ctx,
        Err(e) => return requeue(worker, acker, id, &e).await,
    };
    metrics::histogram!("hookrelay_context_load_seconds").record(loading.elapsed().as_secs_f64());
    match decide(&job, ctx.as_ref()) {
        JobDecision::AlreadyDone(stale) => {
            tracing::debug!(delivery = %id, reason = stale.as_str(), "skipping job");
            if stale != Stale::Missing {
                metrics::counter!("hookrelay_jobs_skipped_total").increment(1);
            }
            Finished::Skipped {
                acker,
                delivery_id: Some(id),
            }
        }
        JobDecision::Cancel => Finished::Cancelled {
            acker,
            delivery_id: id,
        },
        JobDecision::Fail {
            attempt,
            ctx,
            reason,
        } => {
            tracing::error!(delivery = %id, error = %ErrorChain(reason), "delivery failed unsent: its webhook's stored row is corrupt");
            metrics::counter!("hookrelay_attempts_total", "result" => "corrupt").increment(1);
            Finished::Attempted {
                acker,
                record: Box::new(unsendable(ctx, attempt, reason, chrono::Utc::now())),
                retry: None,
                disable: None,
                end_to_end_secs: None,
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
            if let Some(status) = outcome.record.response_code {
                span.record("http.response.status_code", status);
            }
            span.record("result", outcome.class);
            metrics::counter!("hookrelay_attempts_total", "result" => outcome.class).increment(1);
            metrics::histogram!("hookrelay_attempt_duration_seconds", "result" => outcome.class)
                .record(outcome.duration.as_secs_f64());
            let end_to_end_secs = outcome.record.succeeded.then(|| {
                (chrono::Utc::now() - ctx.created_at)
                    .to_std()
                    .map(|d| d.as_secs_f64())
                    .unwrap_or(0.0)
            });
            Finished::Attempted {
                acker,
                record: Box::new(outcome.record),
                retry: outcome.retry,
                disable: outcome.disable,
                end_to_end_secs,
            }
        }
    }
}

/// The database is unavailable: give the job back to the broker and try later.
async fn requeue<A: Acknowledge>(
    worker: &WorkerContext,
    acker: A,
    id: Uuid,
    e: &LoadError,
) -> Finished<A> {
    tracing::error!(error = %ErrorChain(e), delivery = %id, "cannot load delivery; requeueing");
    if let Ok(mut set) = worker.in_flight.lock() {
        set.remove(&id);
    }
    // Slow down instead of spinning through the queue while the database is away.
    hand_back(acker, Duration::from_millis(500)).await
}

/// Returns a job to the queue after `delay`; nothing is left for the recorder.
async fn hand_back<A: Acknowledge>(acker: A, delay: Duration) -> Finished<A> {
    tokio::time::sleep(delay).await;
    if let Err(e) = acker.requeue().await {
        tracing::warn!(error = %ErrorChain(e.as_ref()), "requeue failed; the broker redelivers the job when the channel closes");
    }
    Finished::Nothing
}
