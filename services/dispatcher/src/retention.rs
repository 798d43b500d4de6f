//! Retention rounds: every `retention.interval_secs`, the dispatcher that wins the
//! advisory lock deletes what is older than `retention.days`, table by table, one small
//! batch per statement (each commits on its own, so locks are short and other work
//! interleaves), until a round finds nothing more.

use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::configuration::RetentionSettings;
use hookrelay_core::db::DbError;
use hookrelay_core::repo::retention::{RetentionRepo, Table, RETENTION_LOCK_KEY};
use hookrelay_core::report::ErrorChain;
use tokio_util::sync::CancellationToken;

/// Runs rounds until `stop`; does nothing when retention is off (`days = 0`).
pub async fn run(pool: Pool, settings: RetentionSettings, stop: CancellationToken) {
    if settings.days == 0 {
        return;
    }
    for table in Table::ALL {
        metrics::counter!("hookrelay_retention_deleted_total", "table" => table.name())
            .increment(0);
    }
    loop {
        match round(&pool, &settings, &stop).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "retention round"),
            Err(e) => tracing::warn!(error = %ErrorChain(&e), "retention round failed"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(settings.interval_secs)) => {}
        }
    }
}

/// One round; returns the rows deleted (0 when another dispatcher holds the lock).
pub async fn round(
    pool: &Pool,
    settings: &RetentionSettings,
    stop: &CancellationToken,
) -> Result<u64, DbError> {
    let client = pool.get().await?;
    // A session lock held across the round's many small transactions.
    let locked: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&RETENTION_LOCK_KEY])
        .await?
        .get(0);
    if !locked {
        return Ok(0);
    }
    let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(settings.days));
    let mut total = 0;
    let result = async {
        for table in Table::ALL {
            RetentionRepo::summarize(&client, table).await?;
            loop {
                if stop.is_cancelled() {
                    return Ok(());
                }
                let n = RetentionRepo::delete_batch(&client, table, cutoff, settings.batch).await?;
                metrics::counter!("hookrelay_retention_deleted_total", "table" => table.name())
                    .increment(n);
                total += n;
                if n < settings.batch as u64 {
                    break;
                }
                // Leave room for the hot path between batches.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        Ok::<_, DbError>(())
    }
    .await;
    let unlock = client
        .execute("SELECT pg_advisory_unlock($1)", &[&RETENTION_LOCK_KEY])
        .await;
    result?;
    unlock?;
    Ok(total)
}
