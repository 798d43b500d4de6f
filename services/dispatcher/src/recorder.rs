//! Writes attempt results in batches: one statement (or transaction) for every result
//! that is ready, then the retry jobs (confirmed by the broker), then the acks. A job is
//! never acked before its attempt is committed.
//!
//! The recorder reaches its three collaborators through small interfaces — [`Acknowledge`]
//! (settle one job with the broker, `settle.rs`), [`ResultStore`] (write results) and
//! [`RetryPublisher`] (send retry jobs) — so batching, retry scheduling and acking are
//! unit-tested with fakes; the real ones are lapin's `Acker`, the PostgreSQL pool and the
//! [`JobPublisher`].

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::db::DbError;
use hookrelay_core::lifecycle::{self, DisableReason};
use hookrelay_core::outbox::Outbox;
use hookrelay_core::queue::{Destination, JobPublisher, QueueError};
use hookrelay_core::repo::attempts::{AttemptRecord, AttemptRepo};
use hookrelay_core::repo::deliveries::DeliveryRepo;
use hookrelay_core::report::ErrorChain;
use hookrelay_domain::delivery::{DeliveryJob, DeliveryStatus};

use crate::settle::{Acknowledge, Finished};
use tokio::sync::mpsc;
use uuid::Uuid;

/// Most results written in one statement.
const MAX_BATCH: usize = 512;

/// How long the recorder pauses after a failed write before taking the next batch.
const WRITE_FAILURE_PAUSE: Duration = Duration::from_millis(500);
/// The longest pause between tries of one batch's write.
const MAX_WRITE_RETRY_PAUSE: Duration = Duration::from_secs(5);
/// How long a batch's write is tried again (PostgreSQL restarting) before its jobs are
/// requeued: the results are known, and a requeued job is sent to its receiver again.
pub const WRITE_RETRY_FOR: Duration = Duration::from_secs(60);

/// A parked delivery waits at least this long before its due time is moved in
/// PostgreSQL too; shorter waits end before the sweeper's grace period would.
const POSTPONE_AFTER: Duration = Duration::from_secs(10);

/// What one batch writes.
#[derive(Debug, Default)]
pub struct Writes {
    /// Attempt rows, sorted by delivery (one lock order for every recorder).
    pub records: Vec<AttemptRecord>,
    /// Deliveries whose webhook is gone or disabled.
    pub cancelled: Vec<Uuid>,
    /// Deliveries parked for a while (`POSTPONE_AFTER`) and when they are due, so the
    /// sweeper does not republish them meanwhile.
    pub postponed: Vec<(Uuid, chrono::DateTime<chrono::Utc>)>,
    /// FIFO lanes whose head this batch finishes (succeeded, gave up or cancelled): their
    /// next deliveries are due once it commits.
    pub lanes_moving: Vec<i64>,
}

/// What a write did.
#[derive(Debug, Default)]
pub struct Written {
    /// The deliveries whose attempt was applied (not a duplicate of one already recorded).
    pub applied: HashSet<Uuid>,
    /// The jobs of the new heads of `Writes::lanes_moving`, to publish now.
    pub lane_heads: Vec<DeliveryJob>,
}

/// Where results are written.
pub trait ResultStore: Send + Sync + 'static {
    /// Records the attempts, cancels and postpones the deliveries; answers which attempts
    /// were applied and the next heads of the FIFO lanes that moved.
    fn write(&self, writes: &Writes) -> impl Future<Output = Result<Written, DbError>> + Send;

    /// Disables webhooks (a receiver answered 410 Gone) and announces it.
    fn disable(
        &self,
        webhooks: &[Uuid],
        reason: DisableReason,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
}

/// The real store: PostgreSQL, and the outbox for the events a disable announces.
pub struct PgStore {
    pub pool: Pool,
    pub outbox: Outbox,
}

impl ResultStore for PgStore {
    async fn write(&self, writes: &Writes) -> Result<Written, DbError> {
        self.pool.write(writes).await
    }

    async fn disable(&self, webhooks: &[Uuid], reason: DisableReason) -> Result<(), DbError> {
        lifecycle::disable(&self.pool, &self.outbox, webhooks, reason)
            .await
            .map(|_| ())
    }
}

/// Writing results with a bare pool (the store's first half).
trait WriteResults {
    fn write(&self, writes: &Writes) -> impl Future<Output = Result<Written, DbError>> + Send;
}

impl WriteResults for Pool {
    async fn write(&self, writes: &Writes) -> Result<Written, DbError> {
        let Writes {
            records,
            cancelled,
            postponed,
            lanes_moving,
        } = writes;
        if records.is_empty() && cancelled.is_empty() && postponed.is_empty() {
            return Ok(Written::default());
        }
        let mut client = self.get().await?;
        if !postponed.is_empty() {
            DeliveryRepo::postpone(&client, postponed).await?;
        }
        if records.is_empty() && cancelled.is_empty() {
            return Ok(Written::default());
        }
        if cancelled.is_empty() && lanes_moving.is_empty() {
            // One statement, one round trip, committed on its own.
            let applied = AttemptRepo::record(&client, records).await?;
            return Ok(Written {
                applied: applied.into_iter().collect(),
                lane_heads: Vec::new(),
            });
        }
        let tx = client.transaction().await?;
        if !lanes_moving.is_empty() {
            // The next head of a lane is sent once this commits: were the commit lost in
            // a crash, the one before it would be sent again after it — out of order.
            tx.batch_execute("SET LOCAL synchronous_commit = on")
                .await?;
        }
        let applied = AttemptRepo::record(&tx, records).await?;
        DeliveryRepo::cancel(&tx, cancelled).await?;
        tx.commit().await?;
        let lane_heads = if lanes_moving.is_empty() {
            Vec::new()
        } else {
            DeliveryRepo::lane_heads(&client, lanes_moving).await?
        };
        Ok(Written {
            applied: applied.into_iter().collect(),
            lane_heads,
        })
    }
}

/// Where retry jobs go.
pub trait RetryPublisher: Send + Sync + 'static {
    /// Publishes jobs that must wait `delay` before they run.
    fn publish_retries(
        &self,
        jobs: &[DeliveryJob],
        delay: Duration,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// Publishes jobs due now (the next heads of FIFO lanes).
    fn publish_now(
        &self,
        jobs: &[DeliveryJob],
    ) -> impl Future<Output = Result<(), QueueError>> + Send;
}

impl RetryPublisher for JobPublisher {
    /// Into the delay queue the wait starts with; a job that comes out early goes round
    /// again (see `Topology::hop`).
    async fn publish_retries(
        &self,
        jobs: &[DeliveryJob],
        delay: Duration,
    ) -> Result<(), QueueError> {
        let delay_secs = self.topology().hop(delay);
        metrics::counter!("hookrelay_retries_scheduled_total", "delay" => format!("{delay_secs}s"))
            .increment(jobs.len() as u64);
        self.publish(jobs, Destination::Retry { delay_secs }).await
    }

    async fn publish_now(&self, jobs: &[DeliveryJob]) -> Result<(), QueueError> {
        self.publish(jobs, Destination::Work).await
    }
}

/// The batching recorder.
pub struct Recorder<S, P> {
    pub store: S,
    pub retries: P,
    /// How long a failed write is tried again before its jobs are requeued.
    pub write_retry_for: Duration,
}

impl<S: ResultStore, P: RetryPublisher> Recorder<S, P> {
    /// Runs until every sender of `rx` is dropped and the queue is drained.
    pub async fn run<A: Acknowledge>(self, mut rx: mpsc::Receiver<Finished<A>>) {
        let mut batch: Vec<Finished<A>> = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.recv().await {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(f) => batch.push(f),
                    Err(_) => break,
                }
            }
            if self.flush(std::mem::take(&mut batch)).await.is_err() {
                tokio::time::sleep(WRITE_FAILURE_PAUSE).await;
            }
        }
    }

    /// Records one batch: write, then schedule retries, count, and ack. When the write
    /// fails every job is requeued (at-least-once) and the error is returned.
    #[tracing::instrument(name = "record results", skip_all, fields(results = batch.len()))]
    pub async fn flush<A: Acknowledge>(&self, batch: Vec<Finished<A>>) -> Result<(), Arc<DbError>> {
        let writes = writes_of(&batch);
        let writing = std::time::Instant::now();
        let mut written = self.store.write(&writes).await;
        // The receivers have answered: writing their results later beats requeueing the
        // jobs, which would send each delivery again (a duplicate for its receiver). The
        // jobs stay unacked meanwhile, and the dispatcher stops taking new ones as the
        // recorder's channel fills.
        let mut pause = WRITE_FAILURE_PAUSE;
        while let Err(e) = &written {
            if writing.elapsed() + pause > self.write_retry_for {
                break;
            }
            tracing::warn!(error = %ErrorChain(e), jobs = batch.len(), retry_in_ms = pause.as_millis() as u64, "recording attempts failed; trying again");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_WRITE_RETRY_PAUSE);
            written = self.store.write(&writes).await;
        }
        metrics::histogram!("hookrelay_record_seconds").record(writing.elapsed().as_secs_f64());
        let Written {
            applied,
            lane_heads,
        } = match written {
            Ok(written) => written,
            Err(e) => {
                tracing::error!(error = %ErrorChain(&e), jobs = batch.len(), "recording attempts failed; requeueing");
                self.settle(batch, Settle::Requeue).await;
                return Err(Arc::new(e));
            }
        };
        self.schedule_retries(retries_of(&batch, &applied)).await;
        log_lanes_moving_past_failures(&batch, &applied);
        self.publish_lane_heads(&lane_heads).await;
        self.disable_gone(&batch, &applied).await;
        count_finished(&batch, &applied);
        self.settle(batch, Settle::Ack).await;
        Ok(())
    }

    /// Disables the webhooks whose receiver answered 410 Gone in an applied attempt. A
    /// failure is logged: the next 410 tries again.
    async fn disable_gone<A>(&self, batch: &[Finished<A>], applied: &HashSet<Uuid>) {
        let mut gone: Vec<Uuid> = batch
            .iter()
            .filter_map(|f| match f {
                Finished::Attempted {
                    record,
                    disable: Some(DisableReason::Gone),
                    ..
                } if applied.contains(&record.delivery_id()) => Some(record.attempt.webhook_id),
                _ => None,
            })
            .collect();
        gone.sort();
        gone.dedup();
        if gone.is_empty() {
            return;
        }
        if let Err(e) = self.store.disable(&gone, DisableReason::Gone).await {
            tracing::warn!(error = %ErrorChain(&e), webhooks = gone.len(), "disabling gone webhooks failed");
        }
    }

    /// Publishes the next delivery of each FIFO lane that moved. A failure is logged: the
    /// head is due in PostgreSQL, and the sweeper sends it.
    async fn publish_lane_heads(&self, jobs: &[DeliveryJob]) {
        if jobs.is_empty() {
            return;
        }
        metrics::counter!("hookrelay_fifo_lane_advances_total").increment(jobs.len() as u64);
        if let Err(e) = self.retries.publish_now(jobs).await {
            tracing::warn!(error = %ErrorChain(&e), jobs = jobs.len(), "publishing the next heads of FIFO lanes failed; the sweeper will send them");
        }
    }

    /// Publishes retry jobs, one publish per delay.
    async fn schedule_retries(&self, retries: BTreeMap<Duration, Vec<DeliveryJob>>) {
        for (delay, jobs) in &retries {
            if let Err(e) = self.retries.publish_retries(jobs, *delay).await {
                // The delivery's next_attempt_at is committed: the sweeper resends it.
                tracing::warn!(error = %ErrorChain(&e), jobs = jobs.len(), "retry publish failed; the sweeper will resend");
            }
        }
    }

    /// Acks or requeues every job of the batch and releases its delivery.
    async fn settle<A: Acknowledge>(&self, batch: Vec<Finished<A>>, how: Settle) {
        let mut pending = Vec::with_capacity(batch.len());
        for f in batch {
            let Some((acker, hold)) = f.into_parts() else {
                continue;
            };
            // The delivery is free for its next job once this one is settled.
            drop(hold);
            pending.push(async move {
                match how {
                    Settle::Ack => acker.ack().await,
                    Settle::Requeue => acker.requeue().await,
                }
            });
        }
        // Issued together so the client writes them in a few frames, not one syscall each.
        for result in futures::future::join_all(pending).await {
            if let Err(e) = result {
                // The broker will redeliver; the duplicate is recognised and skipped.
                tracing::warn!(error = %ErrorChain(e.as_ref()), "settling a job failed");
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Settle {
    Ack,
    Requeue,
}

/// The attempt rows, cancellations and postponements of a batch; rows sorted by
/// delivery, one lock order for every recorder, so two dispatchers never deadlock on a
/// batch.
fn writes_of<A>(batch: &[Finished<A>]) -> Writes {
    let mut w = Writes::default();
    for f in batch {
        match f {
            Finished::Attempted { record, lane, .. } => {
                w.records.push((**record).clone());
                if record.new_status != DeliveryStatus::Pending {
                    w.lanes_moving.extend(lane);
                }
            }
            Finished::Cancelled {
                delivery_id, lane, ..
            } => {
                w.cancelled.push(*delivery_id);
                w.lanes_moving.extend(lane);
            }
            Finished::Deferred { job, wait, .. } if *wait >= POSTPONE_AFTER => {
                if let Some(due) = job.due() {
                    w.postponed.push((job.delivery_id(), due));
                }
            }
            Finished::Skipped { .. } | Finished::Nothing | Finished::Deferred { .. } => {}
        }
    }
    w.records.sort_by_key(|r| r.delivery_id());
    w.postponed.sort_by_key(|(id, _)| *id);
    w.lanes_moving.sort_unstable();
    w.lanes_moving.dedup();
    w
}

/// The retry jobs to publish, by delay. Only attempts that were applied schedule a retry:
/// a duplicate attempt (another dispatcher recorded it first) must not fork the delivery's
/// retry chain.
fn retries_of<A>(
    batch: &[Finished<A>],
    applied: &HashSet<Uuid>,
) -> BTreeMap<Duration, Vec<DeliveryJob>> {
    let mut retries: BTreeMap<Duration, Vec<DeliveryJob>> = BTreeMap::new();
    for f in batch {
        match f {
            Finished::Attempted {
                record,
                retry: Some((job, delay)),
                ..
            } if applied.contains(&record.delivery_id()) => {
                retries.entry(*delay).or_default().push(job.clone());
            }
            // An early job waits again: no attempt, nothing written.
            Finished::Deferred { job, wait, .. } => {
                retries.entry(*wait).or_default().push(job.clone());
            }
            _ => {}
        }
    }
    retries
}

/// Says so when a FIFO lane moves on past a delivery that gave up (or was cancelled): the
/// receiver gets the next one without it.
fn log_lanes_moving_past_failures<A>(batch: &[Finished<A>], applied: &HashSet<Uuid>) {
    for f in batch {
        if let Finished::Attempted {
            record,
            lane: Some(lane),
            ..
        } = f
        {
            if record.new_status == DeliveryStatus::Failed
                && applied.contains(&record.delivery_id())
            {
                tracing::info!(delivery = %record.delivery_id(), webhook = %record.attempt.webhook_id, lane, attempts = record.attempt.number(), "FIFO delivery gave up; its lane moves on to the next one");
            }
        }
    }
}

/// Counts finished deliveries and end-to-end latency; a duplicate attempt was already
/// counted by whoever recorded it.
fn count_finished<A>(batch: &[Finished<A>], applied: &HashSet<Uuid>) {
    for f in batch {
        match f {
            Finished::Attempted {
                record,
                end_to_end_secs,
                ..
            } if applied.contains(&record.delivery_id()) => {
                if record.new_status != DeliveryStatus::Pending {
                    metrics::counter!("hookrelay_deliveries_finished_total", "outcome" => record.new_status.as_str())
                        .increment(1);
                }
                if let Some(secs) = end_to_end_secs {
                    metrics::histogram!("hookrelay_delivery_end_to_end_seconds").record(*secs);
                }
            }
            Finished::Cancelled { .. } => {
                metrics::counter!("hookrelay_deliveries_finished_total", "outcome" => DeliveryStatus::Cancelled.as_str())
                    .increment(1);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settle::{AckError, InFlight};
    use chrono::Utc;
    use hookrelay_domain::attempt::{Attempt, AttemptOf};
    use std::sync::Mutex;

    /// A job's acker that reports how it was settled.
    #[derive(Debug)]
    struct FakeAck {
        job: u32,
        log: Arc<Mutex<Vec<(u32, &'static str)>>>,
    }

    impl Acknowledge for FakeAck {
        async fn ack(self) -> Result<(), AckError> {
            self.log.lock().expect("log").push((self.job, "ack"));
            Ok(())
        }

        async fn requeue(self) -> Result<(), AckError> {
            self.log.lock().expect("log").push((self.job, "requeue"));
            Ok(())
        }
    }

    /// A store that applies every attempt except those of `duplicates`, or fails.
    struct FakeStore {
        /// Writes that fail before one succeeds.
        fail: std::sync::atomic::AtomicU32,
        duplicates: HashSet<Uuid>,
        written: Arc<Mutex<Vec<Stored>>>,
        disabled: Mutex<Vec<Uuid>>,
    }

    /// One write: the attempt rows and the cancelled deliveries.
    type Stored = (Vec<AttemptRecord>, Vec<Uuid>);

    /// The job the fake store answers as the next head of `lane`.
    fn head_of(lane: i64) -> DeliveryJob {
        DeliveryJob::new(Uuid::from_u128(lane as u128), 1, None)
    }

    impl ResultStore for FakeStore {
        async fn write(&self, writes: &Writes) -> Result<Written, DbError> {
            let (records, cancelled) = (&writes.records, &writes.cancelled);
            let failing = self
                .fail
                .fetch_update(
                    std::sync::atomic::Ordering::SeqCst,
                    std::sync::atomic::Ordering::SeqCst,
                    |n| n.checked_sub(1),
                )
                .is_ok();
            if failing {
                return Err(DbError::Corrupt(hookrelay_domain::CorruptValue::new(
                    "test",
                    "store down",
                )));
            }
            self.written
                .lock()
                .expect("written")
                .push((records.to_vec(), cancelled.to_vec()));
            Ok(Written {
                applied: records
                    .iter()
                    .map(|r| r.delivery_id())
                    .filter(|id| !self.duplicates.contains(id))
                    .collect(),
                lane_heads: writes.lanes_moving.iter().map(|l| head_of(*l)).collect(),
            })
        }

        async fn disable(&self, webhooks: &[Uuid], reason: DisableReason) -> Result<(), DbError> {
            assert_eq!(reason, DisableReason::Gone);
            self.disabled.lock().expect("disabled").extend(webhooks);
            Ok(())
        }
    }

    #[derive(Default)]
    struct FakeRetries {
        published: Mutex<Vec<(Duration, Vec<DeliveryJob>)>>,
        now: Mutex<Vec<DeliveryJob>>,
    }

    impl RetryPublisher for FakeRetries {
        async fn publish_retries(
            &self,
            jobs: &[DeliveryJob],
            delay: Duration,
        ) -> Result<(), QueueError> {
            self.published
                .lock()
                .expect("published")
                .push((delay, jobs.to_vec()));
            Ok(())
        }

        async fn publish_now(&self, jobs: &[DeliveryJob]) -> Result<(), QueueError> {
            self.now.lock().expect("now").extend_from_slice(jobs);
            Ok(())
        }
    }

    struct Harness {
        recorder: Recorder<FakeStore, FakeRetries>,
        /// The consumer's holds on the deliveries of the jobs made here.
        in_flight: InFlight,
        log: Arc<Mutex<Vec<(u32, &'static str)>>>,
    }

    impl Harness {
        fn new(fail: bool, duplicates: &[Uuid]) -> Self {
            Self::failing(if fail { u32::MAX } else { 0 }, duplicates)
        }

        /// A harness whose store fails its first `writes` writes.
        fn failing(writes: u32, duplicates: &[Uuid]) -> Self {
            Self {
                recorder: Recorder {
                    write_retry_for: Duration::from_secs(2),
                    store: FakeStore {
                        fail: std::sync::atomic::AtomicU32::new(writes),
                        duplicates: duplicates.iter().copied().collect(),
                        written: Arc::default(),
                        disabled: Mutex::default(),
                    },
                    retries: FakeRetries::default(),
                },
                in_flight: InFlight::default(),
                log: Arc::default(),
            }
        }

        fn ack(&self, job: u32) -> FakeAck {
            FakeAck {
                job,
                log: self.log.clone(),
            }
        }

        fn attempted(&self, job: u32, id: Uuid, retry_secs: Option<u64>) -> Finished<FakeAck> {
            let status = if retry_secs.is_some() {
                DeliveryStatus::Pending
            } else {
                DeliveryStatus::Failed
            };
            Finished::Attempted {
                acker: self.ack(job),
                // As the consumer does before an attempt.
                hold: self.in_flight.claim(id),
                record: Box::new(record(id, status)),
                retry: retry_secs.map(|s| (DeliveryJob::new(id, 2, None), Duration::from_secs(s))),
                disable: None,
                end_to_end_secs: None,
                lane: None,
            }
        }

        /// The retry publishes so far: (delay, jobs).
        fn published(&self) -> Vec<(Duration, Vec<DeliveryJob>)> {
            self.recorder
                .retries
                .published
                .lock()
                .expect("published")
                .clone()
        }

        fn settled(&self) -> Vec<(u32, &'static str)> {
            let mut log = self.log.lock().expect("log").clone();
            log.sort();
            log
        }
    }

    fn record(id: Uuid, new_status: DeliveryStatus) -> AttemptRecord {
        let of = AttemptOf::Delivery {
            delivery_id: id,
            event_id: Uuid::nil(),
            number: 1,
        };
        AttemptRecord {
            attempt: Attempt {
                duration_ms: 1,
                response_code: Some(500),
                ..Attempt::unsent(Uuid::nil(), Uuid::nil(), of, "a.b".into(), Utc::now())
            },
            new_status,
            next_attempt_at: None,
        }
    }

    fn ids(n: usize) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = (0..n).map(|_| Uuid::new_v4()).collect();
        ids.sort();
        ids
    }

    #[tokio::test]
    async fn a_batch_is_written_once_sorted_then_retries_published_by_delay_then_acked() {
        let id = ids(4);
        let h = Harness::new(false, &[]);
        let batch = vec![
            h.attempted(1, id[3], Some(5)),
            h.attempted(2, id[0], Some(25)),
            h.attempted(3, id[2], Some(5)),
            Finished::Cancelled {
                acker: h.ack(4),
                hold: h.in_flight.claim(id[1]),
                delivery_id: id[1],
                lane: None,
            },
            Finished::Skipped {
                acker: h.ack(5),
                hold: None,
            },
            Finished::Nothing,
        ];
        h.recorder.flush(batch).await.expect("flushed");

        let written = h.recorder.store.written.lock().expect("written").clone();
        assert_eq!(written.len(), 1, "one write per batch");
        let order: Vec<Uuid> = written[0].0.iter().map(|r| r.delivery_id()).collect();
        assert_eq!(order, vec![id[0], id[2], id[3]], "rows in one lock order");
        assert_eq!(written[0].1, vec![id[1]]);

        let published = h.published();
        let by_delay: Vec<(u64, usize)> = published
            .iter()
            .map(|(d, jobs)| (d.as_secs(), jobs.len()))
            .collect();
        assert_eq!(by_delay, vec![(5, 2), (25, 1)]);

        assert_eq!(
            h.settled(),
            vec![(1, "ack"), (2, "ack"), (3, "ack"), (4, "ack"), (5, "ack")]
        );
        assert!(id.iter().all(|d| !h.in_flight.holds(*d)), "every hold ends");
    }

    #[tokio::test]
    async fn early_jobs_go_round_again_and_gone_receivers_disable_their_webhook() {
        let id = ids(3);
        let h = Harness::new(false, &[id[2]]);
        // Another attempt of the early job's delivery is in flight: it stays so.
        let _running = h.in_flight.claim(id[0]).expect("free");
        let gone = |job, delivery: Uuid, webhook: Uuid| {
            let mut record = record(delivery, DeliveryStatus::Failed);
            record.attempt.webhook_id = webhook;
            Finished::Attempted {
                acker: h.ack(job),
                hold: h.in_flight.claim(delivery),
                record: Box::new(record),
                retry: None,
                disable: Some(DisableReason::Gone),
                end_to_end_secs: None,
                lane: None,
            }
        };
        let (webhook, duplicate_webhook) = (Uuid::new_v4(), Uuid::new_v4());
        let batch = vec![
            Finished::Deferred {
                acker: h.ack(1),
                job: DeliveryJob::new(id[0], 3, None),
                wait: Duration::from_secs(40),
            },
            gone(2, id[1], webhook),
            // A duplicate attempt (not applied) disables nothing.
            gone(3, id[2], duplicate_webhook),
        ];
        h.recorder.flush(batch).await.expect("flushed");
        let written = h.recorder.store.written.lock().expect("written").clone();
        assert_eq!(written[0].0.len(), 2, "the early job writes nothing");
        let published = h.published();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].0, Duration::from_secs(40));
        assert_eq!(published[0].1[0].delivery_id(), id[0]);
        assert_eq!(published[0].1[0].attempt(), 3);
        assert_eq!(
            *h.recorder.store.disabled.lock().expect("disabled"),
            vec![webhook]
        );
        assert_eq!(h.settled(), vec![(1, "ack"), (2, "ack"), (3, "ack")]);
        assert!(
            h.in_flight.holds(id[0]),
            "the running attempt keeps its hold"
        );
    }

    #[test]
    fn long_parks_move_the_due_time_and_short_ones_do_not() {
        let h = Harness::new(false, &[]);
        let id = ids(2);
        let due = Utc::now() + chrono::Duration::seconds(60);
        let parked = |job, id, secs| Finished::Deferred {
            acker: h.ack(job),
            job: DeliveryJob::new(id, 1, None).due_at(Some(due)),
            wait: Duration::from_secs(secs),
        };
        let writes = writes_of(&[parked(1, id[1], 60), parked(2, id[0], 2)]);
        assert_eq!(writes.postponed, vec![(id[1], due)]);
        assert!(writes.records.is_empty() && writes.cancelled.is_empty());
    }

    #[tokio::test]
    async fn fifo_lanes_move_on_when_their_head_is_done_not_when_it_retries() {
        let id = ids(4);
        let h = Harness::new(false, &[]);
        let in_lane = |f: Finished<FakeAck>, l: i64| match f {
            Finished::Attempted {
                acker,
                hold,
                record,
                retry,
                disable,
                end_to_end_secs,
                ..
            } => Finished::Attempted {
                acker,
                hold,
                record,
                retry,
                disable,
                end_to_end_secs,
                lane: Some(l),
            },
            other => other,
        };
        let batch = vec![
            // Gave up: lane 1 moves on.
            in_lane(h.attempted(1, id[0], None), 1),
            // Retries: lane 2 stays blocked behind it.
            in_lane(h.attempted(2, id[1], Some(5)), 2),
            // Cancelled: lane 3 moves on.
            Finished::Cancelled {
                acker: h.ack(3),
                hold: h.in_flight.claim(id[2]),
                delivery_id: id[2],
                lane: Some(3),
            },
            // Unordered.
            h.attempted(4, id[3], None),
        ];
        let writes = writes_of(&batch);
        assert_eq!(writes.lanes_moving, vec![1, 3]);
        h.recorder.flush(batch).await.expect("flushed");
        let now = h.recorder.retries.now.lock().expect("now").clone();
        assert_eq!(now, vec![head_of(1), head_of(3)]);
        assert_eq!(h.published().len(), 1, "the retry waits in its delay queue");
    }

    #[tokio::test]
    async fn duplicate_attempts_schedule_no_retry_but_are_acked() {
        let id = ids(2);
        let h = Harness::new(false, &[id[0]]);
        let batch = vec![
            h.attempted(1, id[0], Some(5)),
            h.attempted(2, id[1], Some(5)),
        ];
        h.recorder.flush(batch).await.expect("flushed");
        let published = h.published();
        assert_eq!(published.len(), 1);
        let retried: Vec<Uuid> = published[0]
            .1
            .iter()
            .map(DeliveryJob::delivery_id)
            .collect();
        assert_eq!(retried, vec![id[1]]);
        assert_eq!(h.settled(), vec![(1, "ack"), (2, "ack")]);
    }

    #[tokio::test]
    async fn a_write_that_keeps_failing_requeues_every_job_and_publishes_nothing() {
        let id = ids(2);
        let h = Harness::new(true, &[]);
        let batch = vec![
            h.attempted(1, id[0], Some(5)),
            h.attempted(2, id[1], None),
            Finished::Skipped {
                acker: h.ack(3),
                hold: None,
            },
        ];
        assert!(h.recorder.flush(batch).await.is_err());
        assert!(h.published().is_empty());
        assert_eq!(
            h.settled(),
            vec![(1, "requeue"), (2, "requeue"), (3, "requeue")]
        );
        assert!(id.iter().all(|d| !h.in_flight.holds(*d)), "every hold ends");
    }

    #[tokio::test]
    async fn a_write_that_fails_for_a_while_is_tried_again_not_requeued() {
        let id = ids(2);
        let h = Harness::failing(2, &[]);
        let batch = vec![h.attempted(1, id[0], Some(5)), h.attempted(2, id[1], None)];
        h.recorder
            .flush(batch)
            .await
            .expect("written on the third try");
        assert_eq!(h.recorder.store.written.lock().expect("written").len(), 1);
        assert_eq!(h.settled(), vec![(1, "ack"), (2, "ack")]);
        assert_eq!(h.published().len(), 1, "the retry job goes out once");
    }

    #[tokio::test]
    async fn run_drains_the_channel_in_batches_and_ends_when_senders_are_gone() {
        let id = ids(3);
        let h = Harness::new(false, &[]);
        let (tx, rx) = mpsc::channel(8);
        for (n, id) in id.iter().enumerate() {
            tx.send(h.attempted(n as u32, *id, None))
                .await
                .expect("send");
        }
        drop(tx);
        let Harness {
            recorder,
            log,
            in_flight,
        } = h;
        let written = recorder.store.written.clone();
        recorder.run(rx).await;
        // Everything was queued before the run: one batch, one write.
        let written = written.lock().expect("written");
        assert_eq!(written.len(), 1);
        assert_eq!(written[0].0.len(), 3);
        let mut settled = log.lock().expect("log").clone();
        settled.sort();
        assert_eq!(settled, vec![(0, "ack"), (1, "ack"), (2, "ack")]);
        assert!(id.iter().all(|d| !in_flight.holds(*d)), "every hold ends");
    }

    #[test]
    fn a_hold_is_claimed_once_and_ends_with_its_claim() {
        let in_flight = InFlight::default();
        let id = Uuid::new_v4();
        let first = in_flight.claim(id).expect("free");
        assert!(in_flight.claim(id).is_none(), "a second job waits");
        drop(first);
        let again = in_flight.claim(id).expect("free again");
        // A job whose hold ended early (dropped) cannot end the next job's.
        let early = Finished::<()>::Skipped {
            acker: (),
            hold: None,
        };
        drop(early.into_parts());
        assert!(in_flight.holds(id));
        drop(again);
        assert!(!in_flight.holds(id));
    }
}
