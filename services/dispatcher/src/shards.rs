//! Which shard queues this dispatcher serves.
//!
//! A webhook's limits live in the memory of the one dispatcher that serves its shard
//! (`scheduler.rs`), so every shard must have exactly one. PostgreSQL's session advisory
//! locks decide it, without a protocol of our own: each dispatcher holds a presence lock
//! (so all can count the live ones), and takes shard locks until it holds its share,
//! `ceil(shards / dispatchers)`, giving back the ones above it. A lock dies with its
//! session, so a dead dispatcher's shards are free at once; a stopping one, or one whose
//! consumer has been detached for 10 s, closes its session. The shard queues are also
//! single-active-consumer, so even during a handover the broker hands a queue's messages
//! to one consumer only.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::report::ErrorChain;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How often the share is checked (and a new dispatcher's share handed over).
const REBALANCE_EVERY: Duration = Duration::from_secs(2);

/// Advisory lock keys of one installation: (namespace, shard) for shards and
/// (namespace + 1, dispatcher) for presence, the namespace derived from the AMQP prefix
/// so installations sharing a database do not collide.
#[derive(Debug, Clone, Copy)]
pub struct LockKeys {
    shards: i32,
    presence: i32,
}

impl LockKeys {
    /// The first key of the shard locks (`pg_locks.classid`).
    pub fn shards_key(&self) -> i32 {
        self.shards
    }

    pub fn for_prefix(prefix: &str) -> Self {
        // FNV-1a, kept positive (pg_locks shows the key as an oid).
        let mut hash: u32 = 0x811c_9dc5;
        for byte in prefix.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        let shards = i32::try_from(hash & 0x3fff_fffe).unwrap_or(0x0068_7200);
        Self {
            shards,
            presence: shards + 1,
        }
    }
}

/// The share of `shards` one of `dispatchers` serves.
pub fn share(shards: u16, dispatchers: i64) -> usize {
    let dispatchers = usize::try_from(dispatchers.max(1)).unwrap_or(1);
    usize::from(shards).div_ceil(dispatchers)
}

/// Keeps this dispatcher's share of shard locks until `stop`, while its consumer is
/// attached (`consuming`): a dispatcher that cannot reach RabbitMQ gives its shards to
/// the others. `owned` always says which it holds (none while the database is away).
pub async fn run(
    pool: Pool,
    shards: u16,
    keys: LockKeys,
    consuming: Arc<AtomicBool>,
    owned: watch::Sender<BTreeSet<u16>>,
    stop: CancellationToken,
) {
    let mut pause = Duration::from_millis(200);
    while !stop.is_cancelled() {
        if consuming.load(Ordering::SeqCst) {
            match hold(&pool, shards, keys, &consuming, &owned, &stop).await {
                Ok(()) => pause = Duration::from_millis(200),
                Err(e) => {
                    tracing::warn!(error = %ErrorChain(e.as_ref()), "shard locks given up; retrying")
                }
            }
            owned.send_replace(BTreeSet::new());
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(5));
    }
    owned.send_replace(BTreeSet::new());
}

/// Why a session of locks ended.
#[derive(Debug, thiserror::Error)]
enum Given {
    #[error("the consumer has been detached for {0:?}")]
    ConsumerDown(Duration),
}

/// How long the consumer may be detached before the shards go to other dispatchers.
const CONSUMER_DOWN_AFTER: Duration = Duration::from_secs(10);

fn rand_id() -> i32 {
    i32::try_from(uuid::Uuid::new_v4().as_u128() & 0x3fff_ffff).unwrap_or(1)
}

/// One session: presence, then the share, rebalanced every [`REBALANCE_EVERY`]. The
/// session's connection is closed when it ends, whatever the reason, so every lock it
/// holds is released at once (a pooled connection would keep them).
async fn hold(
    pool: &Pool,
    shards: u16,
    keys: LockKeys,
    consuming: &AtomicBool,
    owned: &watch::Sender<BTreeSet<u16>>,
    stop: &CancellationToken,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let client = pool.get().await?;
    let served: Result<(), Box<dyn std::error::Error + Send + Sync>> = async {
        // A new id per session: a lock of an earlier session still held by a lingering
        // backend cannot block this one.
        let me = rand_id();
        client
            .execute("SELECT pg_advisory_lock($1, $2)", &[&keys.presence, &me])
            .await?;
        let mut held: BTreeSet<u16> = BTreeSet::new();
        // Start the search at a place of our own, so dispatchers starting together do not
        // all try the same shards first.
        let start = u16::try_from(me.unsigned_abs() % u32::from(shards.max(1))).unwrap_or(0);
        let mut detached_since: Option<std::time::Instant> = None;
        loop {
            if consuming.load(Ordering::SeqCst) {
                detached_since = None;
            } else {
                let since = *detached_since.get_or_insert_with(std::time::Instant::now);
                if since.elapsed() >= CONSUMER_DOWN_AFTER {
                    return Err(Given::ConsumerDown(since.elapsed()).into());
                }
            }
            let row = client
                .query_one(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
                       AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                       AND classid = $1::int4::oid AND objsubid = 2",
                    &[&keys.presence],
                )
                .await?;
            let target = share(shards, row.get(0));
            for offset in 0..shards {
                if held.len() >= target {
                    break;
                }
                let shard = (start + offset) % shards;
                if held.contains(&shard) {
                    continue;
                }
                let got: bool = client
                    .query_one(
                        "SELECT pg_try_advisory_lock($1, $2)",
                        &[&keys.shards, &i32::from(shard)],
                    )
                    .await?
                    .get(0);
                if got {
                    held.insert(shard);
                }
            }
            while held.len() > target {
                let Some(extra) = held.iter().next_back().copied() else {
                    break;
                };
                // Stop consuming first: the next owner attaches after the unlock.
                held.remove(&extra);
                owned.send_replace(held.clone());
                tokio::time::sleep(Duration::from_millis(200)).await;
                client
                    .execute(
                        "SELECT pg_advisory_unlock($1, $2)",
                        &[&keys.shards, &i32::from(extra)],
                    )
                    .await?;
                tracing::info!(shard = extra, "shard handed over");
            }
            if *owned.borrow() != held {
                tracing::info!(shards = ?held, "serving shards");
                owned.send_replace(held.clone());
            }
            metrics::gauge!("hookrelay_shards_owned").set(held.len() as f64);
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = tokio::time::sleep(REBALANCE_EVERY) => {}
            }
        }
    }
    .await;
    // Stop consuming before the locks go, then close the session: its locks go with it.
    owned.send_replace(BTreeSet::new());
    drop(deadpool_postgres::Object::take(client));
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_shard() {
        let rows = [
            (16, 1, 16),
            (16, 2, 8),
            (16, 3, 6),
            (16, 16, 1),
            (16, 40, 1),
            (4, 0, 4),
        ];
        for (shards, dispatchers, want) in rows {
            assert_eq!(share(shards, dispatchers), want, "{shards}/{dispatchers}");
        }
    }

    #[test]
    fn lock_keys_differ_by_prefix_and_stay_positive() {
        let a = LockKeys::for_prefix("hookrelay");
        let b = LockKeys::for_prefix("hrtest-1");
        assert_ne!(a.shards, b.shards);
        assert!(a.shards >= 0 && a.presence > a.shards);
        assert_eq!(a.shards, LockKeys::for_prefix("hookrelay").shards);
    }
}
