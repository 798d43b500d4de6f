//! Writes attempt results in batches: one transaction for every result that is ready,
//! then the retry jobs (confirmed by the broker), then the acks. A job is never acked
//! before its attempt is committed.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::queue::{DeliveryJob, Destination, JobPublisher};
use hookrelay_core::repo::deliveries::{AttemptRecord, DeliveryRepo};
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::Acker;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Most results written in one transaction.
const MAX_BATCH: usize = 512;

/// What a worker hands the recorder for one job.
#[derive(Debug)]
pub enum Finished {
    /// Already acked or nacked by the worker.
    Nothing,
    /// Nothing to write (duplicate, stale, undecodable): just ack.
    Skipped {
        acker: Acker,
        delivery_id: Option<Uuid>,
    },
    /// The webhook is gone or disabled.
    Cancelled { acker: Acker, delivery_id: Uuid },
    /// An attempt was made.
    Attempted {
        acker: Acker,
        record: Box<AttemptRecord>,
        retry: Option<(DeliveryJob, u64)>,
        end_to_end_secs: Option<f64>,
    },
}

/// Delivery ids being worked on by this process; a duplicate job that arrives meanwhile
/// is acked without a second POST.
pub type InFlight = Arc<Mutex<HashSet<Uuid>>>;

/// Runs until every sender of `rx` is dropped and the queue is drained.
pub async fn run(
    pool: Pool,
    publisher: JobPublisher,
    in_flight: InFlight,
    mut rx: mpsc::Receiver<Finished>,
) {
    let mut batch: Vec<Finished> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(f) => batch.push(f),
                Err(_) => break,
            }
        }
        flush(&pool, &publisher, &in_flight, &mut batch).await;
    }
}

#[tracing::instrument(name = "record results", skip_all, fields(results = batch.len()))]
async fn flush(
    pool: &Pool,
    publisher: &JobPublisher,
    in_flight: &InFlight,
    batch: &mut Vec<Finished>,
) {
    let mut records = Vec::new();
    let mut cancelled = Vec::new();
    for f in batch.iter() {
        match f {
            Finished::Attempted { record, .. } => records.push((**record).clone()),
            Finished::Cancelled { delivery_id, .. } => cancelled.push(*delivery_id),
            Finished::Skipped { .. } | Finished::Nothing => {}
        }
    }
    // One lock order for every recorder, so two dispatchers never deadlock on a batch.
    records.sort_by_key(|r| r.delivery_id);
    let written = write(pool, &records, &cancelled).await;
    let applied = match written {
        Ok(applied) => applied,
        Err(e) => {
            // Not recorded: hand the jobs back so they are attempted again (at-least-once).
            tracing::error!(error = %e, source = ?std::error::Error::source(&e), jobs = batch.len(), "recording attempts failed; requeueing");
            for f in batch.drain(..) {
                let Some((acker, id)) = parts(f) else {
                    continue;
                };
                release(in_flight, id);
                let _ = acker
                    .nack(BasicNackOptions {
                        requeue: true,
                        ..Default::default()
                    })
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            return;
        }
    };
    // Only attempts that were applied schedule a retry and count: a duplicate attempt
    // (another dispatcher recorded it first) must not fork the delivery's retry chain.
    let mut retries: BTreeMap<u64, Vec<DeliveryJob>> = BTreeMap::new();
    for f in batch.iter() {
        if let Finished::Attempted {
            record,
            retry: Some((job, delay)),
            ..
        } = f
        {
            if applied.contains(&record.delivery_id) {
                retries.entry(*delay).or_default().push(job.clone());
            }
        }
    }
    for (delay, jobs) in &retries {
        metrics::counter!("hookrelay_retries_scheduled_total", "delay" => format!("{delay}s"))
            .increment(jobs.len() as u64);
        if let Err(e) = publisher
            .publish(jobs, Destination::Retry { delay_secs: *delay })
            .await
        {
            // The delivery's next_attempt_at is committed: the sweeper resends it.
            tracing::warn!(error = %e, jobs = jobs.len(), "retry publish failed; the sweeper will resend");
        }
    }
    let mut acks = Vec::with_capacity(batch.len());
    for f in batch.drain(..) {
        if let Finished::Attempted {
            record,
            end_to_end_secs,
            ..
        } = &f
        {
            if !applied.contains(&record.delivery_id) {
                // A duplicate attempt: already counted by whoever recorded it.
            } else if record.new_status != "pending" {
                metrics::counter!("hookrelay_deliveries_finished_total", "outcome" => record.new_status)
                    .increment(1);
            }
            if let (true, Some(secs)) = (applied.contains(&record.delivery_id), end_to_end_secs) {
                metrics::histogram!("hookrelay_delivery_end_to_end_seconds").record(*secs);
            }
        }
        if matches!(f, Finished::Cancelled { .. }) {
            metrics::counter!("hookrelay_deliveries_finished_total", "outcome" => "cancelled")
                .increment(1);
        }
        let Some((acker, id)) = parts(f) else {
            continue;
        };
        release(in_flight, id);
        acks.push(async move { acker.ack(BasicAckOptions::default()).await });
    }
    // Issued together so the client writes them in a few frames, not one syscall each.
    for result in futures::future::join_all(acks).await {
        if let Err(e) = result {
            // The broker will redeliver; the duplicate is recognised and skipped.
            tracing::warn!(error = %e, "ack failed");
        }
    }
}

async fn write(
    pool: &Pool,
    records: &[AttemptRecord],
    cancelled: &[Uuid],
) -> Result<HashSet<Uuid>, hookrelay_core::db::DbError> {
    if records.is_empty() && cancelled.is_empty() {
        return Ok(HashSet::new());
    }
    let mut client = pool.get().await?;
    if cancelled.is_empty() {
        // One statement, one round trip, committed on its own.
        let applied = DeliveryRepo::record_attempts(&client, records).await?;
        return Ok(applied.into_iter().collect());
    }
    let tx = client.transaction().await?;
    let applied = DeliveryRepo::record_attempts(&tx, records).await?;
    DeliveryRepo::cancel(&tx, cancelled).await?;
    tx.commit().await?;
    Ok(applied.into_iter().collect())
}

fn parts(f: Finished) -> Option<(Acker, Option<Uuid>)> {
    match f {
        Finished::Nothing => None,
        Finished::Skipped { acker, delivery_id } => Some((acker, delivery_id)),
        Finished::Cancelled { acker, delivery_id } => Some((acker, Some(delivery_id))),
        Finished::Attempted { acker, record, .. } => Some((acker, Some(record.delivery_id))),
    }
}

fn release(in_flight: &InFlight, id: Option<Uuid>) {
    if let (Some(id), Ok(mut set)) = (id, in_flight.lock()) {
        set.remove(&id);
    }
}
