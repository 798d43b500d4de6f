//! What the scheduler keeps in memory, made visible: circuit changes are stored on the
//! webhook and announced (`webhook.circuit_opened` / `webhook.circuit_closed`), and every
//! few seconds the deliveries waiting per webhook (how many, why, until when paused) are
//! written for the API and the console.

use std::collections::HashMap;
use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::lifecycle;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::repo::webhooks::{WaitingReport, WebhookRepo};
use hookrelay_core::report::ErrorChain;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::scheduler::{CircuitNote, Scheduler};

/// How often what waits is written.
const REPORT_EVERY: Duration = Duration::from_secs(2);

/// Stores every circuit change until the scheduler is gone (its sender dropped). A failed
/// write is logged: the circuit in memory is the one in force, and its next change is
/// stored again.
pub async fn record(pool: Pool, outbox: Outbox, mut notes: mpsc::UnboundedReceiver<CircuitNote>) {
    while let Some(note) = notes.recv().await {
        if let Err(e) =
            lifecycle::record_circuit(&pool, &outbox, note.webhook_id, &note.circuit, note.change)
                .await
        {
            tracing::warn!(error = %ErrorChain(&e), webhook_id = %note.webhook_id, "storing a circuit change failed");
        }
    }
}

/// Writes what waits per webhook every [`REPORT_EVERY`] (only what changed) until `stop`.
pub async fn report(pool: Pool, scheduler: Scheduler, stop: CancellationToken) {
    let mut sent: HashMap<Uuid, WaitingReport> = HashMap::new();
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(REPORT_EVERY) => {}
        }
        let now: HashMap<Uuid, WaitingReport> = scheduler
            .tick()
            .into_iter()
            .map(|l| {
                let report = WaitingReport {
                    webhook_id: l.webhook_id,
                    waiting: l.waiting,
                    reason: l.reason.filter(|_| l.waiting > 0).map(|r| r.as_str()),
                    paused_until: l.paused_until.filter(|p| *p > chrono::Utc::now()),
                };
                (l.webhook_id, report)
            })
            .collect();
        let mut changed: Vec<WaitingReport> = now
            .values()
            .filter(|r| sent.get(&r.webhook_id) != Some(*r))
            .cloned()
            .collect();
        // Lanes forgotten since: nothing waits there any more.
        changed.extend(
            sent.keys()
                .filter(|id| !now.contains_key(*id))
                .map(|id| WaitingReport::nothing(*id)),
        );
        if changed.is_empty() {
            continue;
        }
        let written = async {
            let client = pool.get().await?;
            WebhookRepo::record_waiting(&client, &changed)
                .await
                .map_err(hookrelay_core::db::DbError::from)
        };
        match written.await {
            Ok(written) => {
                // What was skipped (a row busy elsewhere) is tried again next round.
                for id in written {
                    match now.get(&id) {
                        Some(report) => sent.insert(id, report.clone()),
                        None => sent.remove(&id),
                    };
                }
            }
            Err(e) => tracing::warn!(error = %ErrorChain(&e), "writing what waits failed"),
        }
    }
}
