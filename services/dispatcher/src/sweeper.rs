//! The outbox sweeper: PostgreSQL knows every due delivery, so whatever the broker never
//! got or lost (publish after commit failed, queue purged, retry message dropped) is
//! found here and published again. One sweeper is active at a time (advisory lock). Each
//! round also disables webhooks that have failed for too long (`lifecycle::auto_disable`).

use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::configuration::AutoDisable;
use hookrelay_core::lifecycle;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::queue::{Destination, JobPublisher};
use hookrelay_core::repo::deliveries::DeliveryRepo;
use hookrelay_core::repo::lanes::LaneRepo;
use hookrelay_core::report::ErrorChain;
use tokio_util::sync::CancellationToken;

/// Most deliveries republished per round.
const BATCH: i64 = 1000;

/// Sweeper timing.
#[derive(Debug, Clone, Copy)]
pub struct SweeperSettings {
    pub interval: Duration,
    pub grace_secs: u64,
    pub auto_disable: Option<AutoDisable>,
}

/// Runs rounds every `interval` until `stop` is cancelled.
pub async fn run(
    pool: Pool,
    publisher: JobPublisher,
    settings: SweeperSettings,
    stop: CancellationToken,
) {
    loop {
        if let Err(e) = round(&pool, &publisher, settings.grace_secs).await {
            tracing::warn!(error = %ErrorChain(e.as_ref()), "sweep round failed");
        }
        if let Some(rule) = settings.auto_disable {
            let outbox = Outbox::new(publisher.clone());
            if let Err(e) = lifecycle::auto_disable(&pool, &outbox, rule).await {
                tracing::warn!(error = %ErrorChain(&e), "auto-disable round failed");
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(settings.interval) => {}
        }
    }
}

/// One round: refresh the backlog gauges and republish overdue deliveries.
#[tracing::instrument(name = "sweep", skip_all)]
pub async fn round(
    pool: &Pool,
    publisher: &JobPublisher,
    grace_secs: u64,
) -> Result<usize, anyhow::Error> {
    let mut client = pool.get().await?;
    let (due, oldest_secs) = DeliveryRepo::backlog(&mut client).await?;
    metrics::gauge!("hookrelay_outbox_due_deliveries").set(due as f64);
    metrics::gauge!("hookrelay_outbox_oldest_due_seconds").set(oldest_secs);
    let lanes = LaneRepo::backlog(&mut client).await?;
    metrics::gauge!("hookrelay_fifo_lane_backlog").set(lanes.waiting as f64);
    metrics::gauge!("hookrelay_fifo_busy_lanes").set(lanes.busy_lanes as f64);
    metrics::gauge!("hookrelay_fifo_head_age_seconds").set(lanes.oldest_head_age_secs);
    let mut total = 0;
    loop {
        let Some(jobs) = DeliveryRepo::sweep_overdue(&mut client, grace_secs, BATCH).await? else {
            return Ok(total); // another dispatcher is sweeping
        };
        if jobs.is_empty() {
            return Ok(total);
        }
        tracing::info!(jobs = jobs.len(), "sweeper republishing overdue deliveries");
        metrics::counter!("hookrelay_sweeper_republished_total").increment(jobs.len() as u64);
        publisher.publish(&jobs, Destination::Work).await?;
        total += jobs.len();
        if jobs.len() < BATCH as usize {
            return Ok(total);
        }
    }
}
