//! Runs bulk replays in the background, batch after batch, each batch one transaction
//! whose jobs go through the outbox. A replay whose worker stopped (its process ended) is
//! taken over by any API process once its heartbeat is older than [`STALE_SECS`].

use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::repo::replays::ReplayRepo;
use hookrelay_core::report::ErrorChain;
use uuid::Uuid;

/// A running replay whose heartbeat is this old has lost its worker.
pub const STALE_SECS: f64 = 60.0;
/// How often each API process looks for replays to take over.
const CLAIM_INTERVAL: Duration = Duration::from_secs(30);
/// Consecutive failed batches before a replay is marked failed.
const MAX_FAILURES: u32 = 5;

/// Starts the worker of one replay.
pub fn spawn(pool: Pool, outbox: Outbox, id: Uuid) {
    tokio::spawn(async move { run(&pool, &outbox, id).await });
}

/// Takes over stale replays now and every [`CLAIM_INTERVAL`], for the life of the process.
pub fn spawn_claimer(pool: Pool, outbox: Outbox) {
    tokio::spawn(async move {
        loop {
            match pool.get().await {
                Ok(client) => match ReplayRepo::claim_stale(&client, STALE_SECS).await {
                    Ok(ids) => {
                        for id in ids {
                            tracing::info!(replay = %id, "taking over a stale replay");
                            spawn(pool.clone(), outbox.clone(), id);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %ErrorChain(&e), "claiming stale replays failed")
                    }
                },
                Err(e) => tracing::warn!(error = %ErrorChain(&e), "claiming stale replays failed"),
            }
            tokio::time::sleep(CLAIM_INTERVAL).await;
        }
    });
}

async fn run(pool: &Pool, outbox: &Outbox, id: Uuid) {
    let mut failures = 0;
    loop {
        let step = async {
            let mut client = pool.get().await?;
            ReplayRepo::step(&mut client, id).await
        }
        .await;
        match step {
            Ok(work) => {
                failures = 0;
                let step = outbox.committed_confirmed(work).await;
                metrics::counter!("hookrelay_replayed_deliveries_total")
                    .increment((step.replayed + step.created) as u64);
                if step.done {
                    tracing::info!(replay = %id, "replay finished");
                    return;
                }
            }
            Err(e) => {
                failures += 1;
                tracing::warn!(replay = %id, error = %ErrorChain(&e), failures, "replay batch failed");
                if failures >= MAX_FAILURES {
                    let reason = ErrorChain(&e).to_string();
                    if let Ok(client) = pool.get().await {
                        if let Err(e) = ReplayRepo::fail(&client, id, &reason).await {
                            tracing::warn!(replay = %id, error = %ErrorChain(&e), "could not mark the replay failed; it is taken over later");
                        }
                    }
                    return;
                }
                tokio::time::sleep(Duration::from_millis(500 * u64::from(failures))).await;
            }
        }
    }
}
